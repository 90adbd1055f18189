// Wire exactness against the official AWS SDK for JavaScript v3: for every operation of the four
// services, the request our generated client puts on the wire for a realistic input equals, byte for
// byte, the one the JS SDK sends (method, host, path, query, headers, body, the retry headers
// amz-sdk-request and amz-sdk-invocation-id included; the SDKs' user-agents aside), and its Authorization equals the one an independent signer
// (@smithy/signature-v4) computes over it. And for every operation, a response with every member (plus
// unknown members and enum values, and timestamps with milliseconds) parses into the typed result
// exactly as the JS SDK parses it. Fixtures: test/data/wire/*.json, made by
// tools/js-reference/wire-fixtures.mjs.
//
// The client talks to the real AWS host names (messaging-chime.us-east-1.amazonaws.com, ...) with
// certificate and host-name checks on: the pool's connect_to sends the connections to the scripted
// server, whose certificate names *.us-east-1.amazonaws.com.

#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/invoke.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include "support/test_server.hpp"
#include "support/test_support.hpp"
#include "support/tls_identity.hpp"
#include "util/iso8601.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <cctype>
#include <map>

using namespace chime;
namespace json = boost::json;
namespace asio = boost::asio;
using chime::test::run;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

std::chrono::system_clock::time_point parse_time(std::string_view iso) {
    const auto t = detail::parse_iso8601(iso);
    BOOST_REQUIRE(t);
    return *t;
}

// Epoch seconds of a timestamp written either way (our JSON keeps the model's iso8601 members as strings).
std::optional<double> seconds_of(const json::value& v) {
    if (v.is_number())
        return v.to_number<double>();
    if (v.is_string())
        if (const auto t = detail::parse_iso8601(v.get_string()))
            return std::chrono::duration<double>(t->time_since_epoch()).count();
    return std::nullopt;
}

// Deep equality of two JSON values: objects in any key order, numbers by value, a timestamp string
// equal to the same instant as a number; a null or empty output equals {}. `where` gets the path.
bool same_json(const json::value& a, const json::value& b, std::string& where, const std::string& path = "$") {
    const auto empty = [](const json::value& v) { return v.is_null() || (v.is_object() && v.get_object().empty()); };
    if (empty(a) && empty(b))
        return true;
    if (a.is_object() && b.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size())
            return where = path + " (" + std::to_string(x.size()) + " vs " + std::to_string(y.size()) + " members)", false;
        for (const auto& kv : x) {
            const auto* other = y.if_contains(kv.key());
            if (!other)
                return where = path + "." + std::string(kv.key()) + " (only ours)", false;
            if (!same_json(kv.value(), *other, where, path + "." + std::string(kv.key())))
                return false;
        }
        return true;
    }
    if (a.is_array() && b.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size())
            return where = path + " (array sizes)", false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same_json(x[i], y[i], where, path + "[" + std::to_string(i) + "]"))
                return false;
        return true;
    }
    if (a.is_number() || b.is_number()) {
        const auto x = seconds_of(a);
        const auto y = seconds_of(b);
        if (x && y && std::abs(*x - *y) < 1e-6)
            return true;
        return where = path, false;
    }
    if (a == b)
        return true;
    return where = path, false;
}

// The operation table's offline reader (what the fuzz target drives) for `op` of `service`.
result<json::value> read_offline(const std::string& service, std::string_view op, const http::response& r) {
    const auto in = [&](const auto& table) -> result<json::value> {
        for (const auto& e : table)
            if (e.name == op)
                return e.read_response(r);
        return error(make_error_code(errc::invalid_request), "no operation " + std::string(op));
    };
    if (service == "chime")
        return in(classic::operation_table());
    if (service == "chime-sdk-messaging")
        return in(messaging::operation_table());
    if (service == "chime-sdk-identity")
        return in(identity::operation_table());
    return in(meetings::operation_table());
}

struct fixture_file {
    std::string service; // the AWS CLI name
    std::string file;
};

// Runs every case of one fixture file and checks each request; returns the number of cases checked.
std::size_t check_service(const fixture_file& f) {
    const json::object doc = json::parse(test::read_file(test::data_dir() / "wire" / f.file)).as_object();
    const json::array& cases = doc.at("cases").as_array();
    BOOST_TEST_MESSAGE(f.service << ": " << cases.size() << " operations, JS SDK " << doc.at("sdk").as_string());

    static const test::tls_identity identity =
        test::make_self_signed({"*.us-east-1.amazonaws.com", "chime.us-east-1.amazonaws.com"}, {});
    test::scratch_dir dir;
    test::write_file(dir.path() / "ca.pem", identity.cert_pem);
    test::server_options so;
    so.identity = &identity;
    // Each request is answered with its case's response fixture (the calls are made one at a time).
    std::atomic<std::size_t> next{0};
    test::test_server server(so, [&](const test::received_request&) {
        const auto& resp = cases.at(next++).at("response").as_object();
        return test::reply{.status = static_cast<unsigned>(resp.at("status").to_number<int>()),
                           .body = std::string(resp.at("body").as_string())};
    });

    client_config cfg;
    cfg.region = "us-east-1";
    const auto& creds = doc.at("credentials").as_object();
    cfg.credentials = auth::make_static_provider(
        {std::string(creds.at("accessKeyId").as_string()), std::string(creds.at("secretAccessKey").as_string()), "", {}, ""});
    const auto signing_time = parse_time(doc.at("signingTime").as_string());
    cfg.transport.clock = [signing_time] { return signing_time; };
    const std::string invocation_id(doc.at("invocationId").as_string());
    cfg.transport.invocation_id = [invocation_id] { return invocation_id; };
    cfg.transport.pool.tls.ca_file = (dir.path() / "ca.pem").string();
    cfg.transport.pool.connect_to = "127.0.0.1:" + std::to_string(server.port());

    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        generic_client client(ex, f.service, cfg);
        for (const auto& c : cases) {
            const auto& op = c.at("operation").as_string();
            const auto r = co_await client.call(op, c.at("input"));
            BOOST_TEST(r.has_value(), f.service << " " << op << ": " << (r ? "" : r.error().message()));
            if (!r)
                continue;
            // The typed result, written back as JSON, equals the JS SDK's parse of the same body:
            // every member read, unknown members ignored, unknown enum values kept.
            const json::value& want = c.at("response").at("parsed");
            std::string where;
            BOOST_TEST(same_json(*r, want, where),
                       f.service << " " << op << ": the parsed response differs at " << where << "\n ours: "
                                 << json::serialize(*r) << "\n JS:   " << json::serialize(want));
            // The table's offline reader gives the same result as the call, and reads errors the same way.
            http::response fixture;
            fixture.status = static_cast<unsigned>(c.at("response").at("status").to_number<int>());
            fixture.body = std::string(c.at("response").at("body").as_string());
            const auto offline = read_offline(f.service, op, fixture);
            BOOST_TEST((offline && *offline == *r), f.service << " " << op << ": read_response differs");
            fixture.status = 404;
            fixture.headers = {{"x-amzn-ErrorType", "NotFoundException"}};
            const auto missing = read_offline(f.service, op, fixture);
            BOOST_TEST((!missing && missing.error().code == aws_errc::not_found), f.service << " " << op);
        }
    }());

    const auto got = server.requests();
    BOOST_REQUIRE_EQUAL(got.size(), cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i].as_object();
        const std::string op(c.at("operation").as_string());
        BOOST_TEST_CONTEXT(f.service << " " << op) {
            const auto& want = c.at("request").as_object();
            const auto& req = got[i];
            BOOST_TEST(req.method == want.at("method").as_string());
            std::string target(want.at("path").as_string());
            if (!want.at("query").as_string().empty())
                target += "?" + std::string(want.at("query").as_string());
            BOOST_TEST(req.target == target);
            BOOST_TEST(req.body == want.at("body").as_string());

            // Headers: the same set and values, apart from those each SDK adds for itself.
            std::map<std::string, std::string> ours;
            for (const auto& h : req.headers) {
                const auto name = lower(h.name);
                if (name != "authorization" && name != "x-amz-date" && name != "user-agent")
                    ours[name] = h.value;
            }
            std::map<std::string, std::string> theirs;
            for (const auto& [name, value] : want.at("headers").as_object())
                theirs[std::string(name)] = std::string(value.as_string());
            // A POST or PUT without a body: the JS SDK leaves Content-Length to Node's http module,
            // which writes "Content-Length: 0" on the wire (after the capture point); so do we.
            if (want.at("body").as_string().empty() && (req.method == "POST" || req.method == "PUT"))
                theirs.try_emplace("content-length", "0");
            BOOST_TEST(ours == theirs, "headers differ");
            for (const auto& [name, value] : theirs)
                BOOST_TEST(ours[name] == value, name);

            BOOST_TEST(req.header_value("Authorization") == c.at("authorization").as_string());
            BOOST_TEST(req.header_value("X-Amz-Date") == "20240102T030405Z");
        }
    }
    return cases.size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(wire_exactness_against_the_js_sdk)

BOOST_AUTO_TEST_CASE(chime) { BOOST_TEST(check_service({"chime", "classic.json"}) == 60u); }
BOOST_AUTO_TEST_CASE(chime_sdk_messaging) { BOOST_TEST(check_service({"chime-sdk-messaging", "messaging.json"}) == 51u); }
BOOST_AUTO_TEST_CASE(chime_sdk_identity) { BOOST_TEST(check_service({"chime-sdk-identity", "identity.json"}) == 30u); }
BOOST_AUTO_TEST_CASE(chime_sdk_meetings) { BOOST_TEST(check_service({"chime-sdk-meetings", "meetings.json"}) == 16u); }

BOOST_AUTO_TEST_SUITE_END()
