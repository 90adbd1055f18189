// Chime-shaped requests whose expected signatures come from the official AWS SDK for JavaScript's
// signer (test/data/sigv4/js-fixtures.json, made by tools/js-reference/sigv4-fixtures.mjs): ARN labels
// double-encoded in the canonical URI, x-amz-chime-bearer, session tokens, awkward query values, and
// messaging-session presigned URLs.

#include "support/test_support.hpp"
#include "util/iso8601.hpp"

#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/json.hpp>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

namespace bdata = boost::unit_test::data;
namespace json = boost::json;
using namespace chime;

namespace {

const json::array& fixture_cases() {
    static const json::value doc =
        json::parse(chime::test::read_file(chime::test::data_dir() / "sigv4" / "js-fixtures.json"));
    return doc.at("cases").as_array();
}

std::vector<std::string> case_names() {
    std::vector<std::string> names;
    for (const auto& c : fixture_cases())
        names.emplace_back(c.at("name").as_string());
    return names;
}

const json::object& find_case(const std::string& name) {
    for (const auto& c : fixture_cases())
        if (c.at("name").as_string() == name)
            return c.as_object();
    throw std::runtime_error("no fixture " + name);
}

std::map<std::string, std::string> query_map(std::string_view q) {
    std::map<std::string, std::string> m;
    std::size_t pos = 0;
    while (pos < q.size()) {
        std::size_t amp = std::min(q.find('&', pos), q.size());
        const std::string_view piece = q.substr(pos, amp - pos);
        const std::size_t eq = piece.find('=');
        m[std::string(piece.substr(0, eq))] = std::string(piece.substr(eq + 1));
        pos = amp + 1;
    }
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sigv4_js_reference)

BOOST_AUTO_TEST_CASE(fixture_file_is_complete) {
    BOOST_TEST(fixture_cases().size() == 7u);
}

BOOST_DATA_TEST_CASE(matches_official_js_signer, bdata::make(case_names()), name) {
    const json::object& c = find_case(name);
    const json::object& jc = c.at("credentials").as_object();
    auth::credentials creds{std::string(jc.at("accessKeyId").as_string()),
                            std::string(jc.at("secretAccessKey").as_string()),
                            "",
                            {},
                            ""};
    if (jc.contains("sessionToken"))
        creds.session_token = std::string(jc.at("sessionToken").as_string());

    std::vector<auth::header_field> headers;
    for (const auto& [k, v] : c.at("headers").as_object())
        headers.push_back({k, v.as_string()});

    const std::string body(c.at("body").as_string());
    const std::string body_hash = auth::payload_hash(body);
    auth::signing_params params{.region = c.at("region").as_string(),
                                .service = c.at("service").as_string(),
                                .time = *detail::parse_iso8601(c.at("time").as_string())};
    params.add_content_sha256 = c.at("add_content_sha256").as_bool();
    const auth::signable_request req{.method = c.at("method").as_string(),
                                     .path = c.at("path").as_string(),
                                     .query = c.at("query").as_string(),
                                     .headers = headers,
                                     .payload_hash = body_hash};
    const json::object& expected = c.at("expected").as_object();
    const auth::signer signer;

    if (c.at("mode").as_string() == "header") {
        const auto s = signer.sign(req, creds, params);
        BOOST_TEST(s.canonical_request == expected.at("canonical_request").as_string());
        BOOST_TEST(s.string_to_sign == expected.at("string_to_sign").as_string());
        BOOST_TEST(s.authorization == expected.at("authorization").as_string());
        const json::object& added = expected.at("added_headers").as_object();
        BOOST_TEST(added.at("x-amz-date").as_string() == s.amz_date);
        BOOST_TEST(added.contains("x-amz-security-token") == !creds.session_token.empty());
        BOOST_TEST(added.contains("x-amz-content-sha256") == params.add_content_sha256);
        if (params.add_content_sha256)
            BOOST_TEST(added.at("x-amz-content-sha256").as_string() == s.content_sha256);
    } else {
        params.expires = std::chrono::seconds(c.at("expires").as_int64());
        const auto s = signer.presign(req, creds, params);
        BOOST_TEST(s.canonical_request == expected.at("canonical_request").as_string());
        BOOST_TEST(s.string_to_sign == expected.at("string_to_sign").as_string());
        // JS returns decoded query values; compare against ours decoded.
        std::map<std::string, std::string> ours;
        for (const auto& [k, v] : query_map(s.query))
            ours[uri_decode(k)] = uri_decode(v);
        std::map<std::string, std::string> theirs;
        for (const auto& [k, v] : expected.at("query").as_object())
            theirs[std::string(k)] = std::string(v.as_string());
        BOOST_TEST((ours == theirs));
    }
}

BOOST_AUTO_TEST_SUITE_END()
