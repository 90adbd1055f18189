// load_config: every configuration source the AWS CLI reads, with a scratch HOME.

#include "support/aws_home.hpp"

#include <chime/config.hpp>
#include <chime/error.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>

using namespace chime;

namespace {

constexpr std::string_view messaging = "Chime SDK Messaging";

struct home_fixture : chime::test::aws_home {
    aws_config load(const config_overrides& ov = {}) const { return load_config(messaging, ov, env()); }
    std::pair<errc, std::string> error(const config_overrides& ov = {}) const {
        return chime::test::error_of([&] { load(ov); });
    }
};

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(config, home_fixture)

BOOST_AUTO_TEST_CASE(service_id_names) {
    BOOST_TEST(endpoint_env_var("Chime SDK Messaging") == "AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING");
    BOOST_TEST(endpoint_env_var("Chime SDK Identity") == "AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY");
    BOOST_TEST(endpoint_env_var("Chime SDK Meetings") == "AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS");
    BOOST_TEST(endpoint_env_var("Chime") == "AWS_ENDPOINT_URL_CHIME");
    BOOST_TEST(services_section_key("Chime SDK Messaging") == "chime_sdk_messaging");
}

BOOST_AUTO_TEST_CASE(nothing_configured) {
    const auto cfg = load();
    BOOST_TEST(cfg.profile.value == "default");
    BOOST_TEST(!cfg.profile_explicit);
    BOOST_TEST(cfg.config_file == home.path() / ".aws" / "config");
    BOOST_TEST(cfg.credentials_file == home.path() / ".aws" / "credentials");
    BOOST_TEST(!cfg.region);
    BOOST_TEST(!cfg.endpoint_url);
    BOOST_TEST(!cfg.max_attempts);
    BOOST_TEST(!cfg.retry_mode);
}

BOOST_AUTO_TEST_CASE(profile_selection) {
    config("[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n[profile ops]\nregion = "
           "ap-south-1\n");
    BOOST_TEST(load().region->value == "us-east-1");
    BOOST_TEST(load().region->source == "profile default in " + (home.path() / ".aws" / "config").string());

    vars["AWS_DEFAULT_PROFILE"] = "ops";
    BOOST_TEST(load().profile.value == "ops");
    BOOST_TEST(load().region->value == "ap-south-1");
    vars["AWS_PROFILE"] = "dev";
    BOOST_TEST(load().profile.source == "AWS_PROFILE");
    BOOST_TEST(load().region->value == "eu-west-1");
    BOOST_TEST(!load().profile_explicit);

    const auto explicit_cfg = load({.profile = "ops"});
    BOOST_TEST(explicit_cfg.profile.value == "ops");
    BOOST_TEST(explicit_cfg.profile_explicit);
    BOOST_TEST(explicit_cfg.region->value == "ap-south-1");
}

BOOST_AUTO_TEST_CASE(missing_profile) {
    config("[profile dev]\nregion = eu-west-1\n");
    BOOST_TEST(!load().region); // a missing default profile is not an error
    vars["AWS_PROFILE"] = "prod";
    auto [code, msg] = error();
    BOOST_TEST((code == errc::profile_not_found));
    BOOST_TEST(contains(msg, "the config profile (prod) chosen by AWS_PROFILE could not be found in"));
    BOOST_TEST(contains(msg, (home.path() / ".aws" / "credentials").string()));
    std::tie(code, msg) = error({.profile = "nope"});
    BOOST_TEST(contains(msg, "(nope) chosen by explicit profile"));
}

BOOST_AUTO_TEST_CASE(custom_file_locations) {
    chime::test::write_file(home.path() / "elsewhere" / "cfg", "[profile x]\nregion = us-west-1\n");
    chime::test::write_file(home.path() / "elsewhere" / "creds", "[x]\nregion = us-west-2\n");
    vars["AWS_CONFIG_FILE"] = "~/elsewhere/cfg";
    vars["AWS_PROFILE"] = "x";
    BOOST_TEST(load().config_file == home.path() / "elsewhere" / "cfg");
    BOOST_TEST(load().region->value == "us-west-1");
    vars["AWS_SHARED_CREDENTIALS_FILE"] = (home.path() / "elsewhere" / "creds").string();
    BOOST_TEST(load().region->value == "us-west-2"); // the credentials file's keys win
}

BOOST_AUTO_TEST_CASE(no_home) {
    vars.erase("HOME");
    const auto cfg = load();
    BOOST_TEST(cfg.config_file.empty());
    BOOST_TEST(cfg.credentials_file.empty());
}

BOOST_AUTO_TEST_CASE(region_precedence_and_validation) {
    config("[default]\nregion = us-west-2\n");
    BOOST_TEST(load().region->value == "us-west-2");
    vars["AWS_DEFAULT_REGION"] = "eu-west-1";
    BOOST_TEST(load().region->value == "eu-west-1");
    BOOST_TEST(load().region->source == "AWS_DEFAULT_REGION");
    vars["AWS_REGION"] = "eu-central-1";
    BOOST_TEST(load().region->value == "eu-central-1");
    BOOST_TEST(load({.region = "ap-northeast-1"}).region->value == "ap-northeast-1");
    vars["AWS_REGION"] = "us-east-1\r\nX-Injected: 1";
    auto [code, msg] = error();
    BOOST_TEST((code == errc::invalid_config_value));
    BOOST_TEST(contains(msg, "AWS_REGION: invalid region"));
    vars["AWS_REGION"] = ""; // empty counts as unset
    BOOST_TEST(load().region->value == "eu-west-1");
}

BOOST_AUTO_TEST_CASE(endpoint_precedence) {
    config("[default]\n"
           "endpoint_url = https://profile.example:1\n"
           "services = local\n"
           "[services local]\n"
           "chime_sdk_messaging =\n"
           "  endpoint_url = http://127.0.0.1:4566\n"
           "chime_sdk_identity =\n"
           "  endpoint_url = http://127.0.0.1:4567\n");
    BOOST_TEST(load().endpoint_url->value == "http://127.0.0.1:4566");
    BOOST_TEST(contains(load().endpoint_url->source, "[services local] chime_sdk_messaging"));
    BOOST_TEST(load_config("Chime SDK Meetings", {}, env()).endpoint_url->value ==
               "https://profile.example:1");
    vars["AWS_ENDPOINT_URL"] = "https://global.example";
    BOOST_TEST(load().endpoint_url->value == "https://global.example");
    vars["AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING"] = "https://messaging.example:8443";
    BOOST_TEST(load().endpoint_url->value == "https://messaging.example:8443");
    BOOST_TEST(load().endpoint_url->source == "AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING");
    BOOST_TEST(load({.endpoint_url = "http://localhost:9"}).endpoint_url->value == "http://localhost:9");

    vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
    BOOST_TEST(!load().endpoint_url);
    BOOST_TEST(load({.endpoint_url = "http://localhost:9"}).endpoint_url->value == "http://localhost:9");
    vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "maybe";
    BOOST_TEST(contains(error().second, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: invalid flag 'maybe'"));
}

BOOST_AUTO_TEST_CASE(endpoint_errors) {
    vars["AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING"] = "localhost:4566";
    auto [code, msg] = error();
    BOOST_TEST((code == errc::invalid_config_value));
    BOOST_TEST(msg == "AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING: invalid endpoint URL 'localhost:4566'; expected "
                      "http://host[:port] or https://host[:port]");
    vars.erase("AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING");
    config("[default]\nservices = missing\n");
    BOOST_TEST(contains(error().second, "services 'missing' names no [services missing] section"));
    config("[default]\nignore_configured_endpoint_urls = true\nendpoint_url = http://x\n");
    BOOST_TEST(!load().endpoint_url);
}

BOOST_AUTO_TEST_CASE(retry_settings) {
    config("[default]\nmax_attempts = 5\nretry_mode = adaptive\n");
    BOOST_TEST(load().max_attempts->value == 5);
    BOOST_TEST((load().retry_mode->value == retry_mode::adaptive));
    vars["AWS_MAX_ATTEMPTS"] = "2";
    vars["AWS_RETRY_MODE"] = "standard";
    BOOST_TEST(load().max_attempts->value == 2);
    BOOST_TEST(load().max_attempts->source == "AWS_MAX_ATTEMPTS");
    BOOST_TEST((load().retry_mode->value == retry_mode::standard));
    BOOST_TEST(load({.max_attempts = 7}).max_attempts->value == 7);
    BOOST_TEST((load({.retry_mode = retry_mode::legacy}).retry_mode->value == retry_mode::legacy));

    vars["AWS_MAX_ATTEMPTS"] = "0";
    BOOST_TEST(error().second ==
               "AWS_MAX_ATTEMPTS: invalid max_attempts '0'; expected a whole number of at least 1");
    vars["AWS_MAX_ATTEMPTS"] = "3x";
    BOOST_TEST((error().first == errc::invalid_config_value));
    vars.erase("AWS_MAX_ATTEMPTS");
    vars["AWS_RETRY_MODE"] = "aggressive";
    BOOST_TEST(error().second ==
               "AWS_RETRY_MODE: invalid retry_mode 'aggressive'; expected legacy, standard or adaptive");
    vars.erase("AWS_RETRY_MODE");
    config("[default]\nretry_mode = fast\n");
    BOOST_TEST(contains(error().second, "profile default in"));
    BOOST_TEST(to_string(retry_mode::adaptive) == "adaptive");
}

BOOST_AUTO_TEST_CASE(ca_bundle) {
    config("[default]\nca_bundle = ~/certs/ca.pem\n");
    BOOST_TEST(load().ca_bundle->value == (home.path() / "certs" / "ca.pem").string());
    vars["AWS_CA_BUNDLE"] = "/etc/ssl/mine.pem";
    BOOST_TEST(load().ca_bundle->value == "/etc/ssl/mine.pem");
    BOOST_TEST(load({.ca_bundle = "/x.pem"}).ca_bundle->value == "/x.pem");
}

BOOST_AUTO_TEST_CASE(malformed_file_names_file_and_line) {
    config("[default]\nregion = us-east-1\nbroken line\n");
    auto [code, msg] = error();
    BOOST_TEST((code == errc::invalid_config_file));
    BOOST_TEST(msg == (home.path() / ".aws" / "config").string() + ":3: expected 'key = value'");
}

BOOST_AUTO_TEST_CASE(process_environment) {
    // The default environment reads the real process environment.
    chime::test::write_file(home.path() / "proc-config", "[profile proc]\nregion = sa-east-1\n");
    ::setenv("AWS_CONFIG_FILE", (home.path() / "proc-config").c_str(), 1);
    ::setenv("AWS_PROFILE", "proc", 1);
    const auto cfg = load_config(messaging);
    ::unsetenv("AWS_CONFIG_FILE");
    ::unsetenv("AWS_PROFILE");
    BOOST_TEST(cfg.region->value == "sa-east-1");
}

BOOST_AUTO_TEST_SUITE_END()
