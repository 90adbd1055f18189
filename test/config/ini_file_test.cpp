// The shared-file parser: botocore's reading of the format, and errors that name file and line
// without quoting the line (it may hold a secret).

#include "config/ini_file.hpp"

#include <chime/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace chime;
using detail::parse_ini;

namespace {

std::string error_of(std::string_view text) {
    try {
        parse_ini(text, "/home/u/.aws/credentials");
    } catch (const exception& e) {
        BOOST_TEST((e.code() == errc::invalid_config_file));
        return e.what();
    }
    return "no error";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ini_file)

BOOST_AUTO_TEST_CASE(reads_sections_keys_comments_and_nesting) {
    const auto f = parse_ini("# comment\n"
                             "; other comment\n"
                             "[default]\r\n"
                             "Region = us-west-2 \n"
                             "aws_access_key_id=AKID\n"
                             "endpoint_url: http://localhost:4566\n"
                             "\n"
                             "[profile dev]   # trailing comment\n"
                             "s3 =\n"
                             "  max_concurrent_requests = 20\n"
                             "  addressing_style=path\n"
                             "note = first\n"
                             "   second\n"
                             "[ services  local ]\n",
                             "cfg");
    BOOST_REQUIRE_EQUAL(f.sections.size(), 3u);
    const auto* def = f.find("default");
    BOOST_REQUIRE(def);
    BOOST_TEST(def->values.at("region") == "us-west-2");
    BOOST_TEST(def->values.at("aws_access_key_id") == "AKID");
    BOOST_TEST(def->values.at("endpoint_url") == "http://localhost:4566");
    const auto* dev = f.find("profile dev");
    BOOST_REQUIRE(dev);
    BOOST_TEST(dev->nested.at("s3").at("max_concurrent_requests") == "20");
    BOOST_TEST(dev->nested.at("s3").at("addressing_style") == "path");
    BOOST_TEST(dev->values.at("note") == "first\nsecond");
    BOOST_TEST(f.find("services  local"));
}

BOOST_AUTO_TEST_CASE(profile_names) {
    BOOST_TEST(*detail::config_profile_name("default") == "default");
    BOOST_TEST(*detail::config_profile_name("profile dev") == "dev");
    BOOST_TEST(*detail::config_profile_name("profile   \"my profile\"") == "my profile");
    BOOST_TEST(!detail::config_profile_name("profiledev"));
    BOOST_TEST(!detail::config_profile_name("services local"));
    BOOST_TEST(!detail::config_profile_name("dev"));

    const auto f =
        parse_ini("[default]\nregion=a\nx=1\n[profile default]\nregion=b\n[profile dev]\nregion=c\n", "cfg");
    BOOST_TEST(detail::profile_values(f, "default", true)->at("region") == "b");
    BOOST_TEST(detail::profile_values(f, "default", true)->at("x") == "1");
    BOOST_TEST(detail::profile_values(f, "dev", true)->at("region") == "c");
    BOOST_TEST(!detail::profile_values(f, "dev", false)); // credentials format: no "profile " prefix
    BOOST_TEST(!detail::profile_values(f, "prod", true));
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line_and_never_quote_it) {
    BOOST_TEST(error_of("aws_secret_access_key = SECRET\n") ==
               "/home/u/.aws/credentials:1: setting before any [section] header");
    BOOST_TEST(error_of("[default]\n[oops\n") ==
               "/home/u/.aws/credentials:2: section header has no closing ']'");
    BOOST_TEST(error_of("[default]\n\nSECRETVALUE\n") ==
               "/home/u/.aws/credentials:3: expected 'key = value'");
    BOOST_TEST(error_of("[a]\n[b]\n[a]\n") ==
               "/home/u/.aws/credentials:3: duplicate section [a] (first at line 1)");
    BOOST_TEST(error_of("[a]\nk=1\nK=2\n") ==
               "/home/u/.aws/credentials:3: duplicate setting 'k' in section [a]");
    BOOST_TEST(error_of("[a]\n  indented = 1\n") ==
               "/home/u/.aws/credentials:2: indented line does not continue any property");
    BOOST_TEST(error_of("[]\n") == "/home/u/.aws/credentials:1: empty section name");
    BOOST_TEST(error_of("[a] junk\n") == "/home/u/.aws/credentials:1: unexpected text after section header");
    BOOST_TEST(error_of("[a]\n= value\n") == "/home/u/.aws/credentials:2: setting without a name");
    BOOST_TEST(error_of("[a]\ns3 =\n  SECRETNESTED\n").find("SECRET") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
