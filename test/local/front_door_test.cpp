// chime-local's front door: SigV4 verification answered as AWS answers it, the error wire format,
// unknown routes, fault injection (throttling, 5xx, dropped connections, latency) and the counters.

#include "chime-local/api_error.hpp"
#include "chime-local/router.hpp"
#include "chime-local/verifier.hpp"
#include "local/local_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/transport.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <charconv>

using namespace chime;
namespace asio = boost::asio;
namespace json = boost::json;
namespace id = chime::identity;
using chime::test::run;

namespace {

// A raw call through the transport, for requests no generated client would send.
result<http::response> raw(const test::local_emulator& local, http::request req, auth::credentials creds,
                           std::function<std::chrono::system_clock::time_point()> clock = {}) {
    return run([&]() -> asio::awaitable<result<http::response>> {
        const auto ex = co_await asio::this_coro::executor;
        transport_options o;
        o.pool.tls.ca_file = local.ca_file();
        o.clock = std::move(clock);
        o.retry.max_attempts = 1; // the server's answers as they are
        transport t(ex, auth::make_static_provider(std::move(creds)), std::move(o));
        const auto ep = net::endpoint::parse(local.server.url()).value();
        const signing_scope scope("us-east-1");
        co_return co_await t.send(ep, std::move(req), scope, "raw");
    }());
}

http::request list_app_instances() {
    http::request r;
    r.method = "GET";
    r.path = "/app-instances";
    return r;
}

const auth::credentials good{test::local_access_key, test::local_secret_key, "", {}, ""};

std::string aws_code(const result<http::response>& r) { return r ? "" : r.error().diag->aws_code; }

} // namespace

BOOST_AUTO_TEST_SUITE(chime_local_front_door)

BOOST_AUTO_TEST_CASE(signatures_are_verified_as_aws_does) {
    test::local_emulator local;
    BOOST_TEST(raw(local, list_app_instances(), good).has_value());

    const auto unknown = raw(local, list_app_instances(), {"AKIDUNKNOWN", test::local_secret_key, "", {}, ""});
    BOOST_TEST(aws_code(unknown) == "UnrecognizedClientException");
    BOOST_TEST(unknown.error().diag->http_status == 403u);

    const auto wrong = raw(local, list_app_instances(), {test::local_access_key, "not-the-secret", "", {}, ""});
    BOOST_TEST(aws_code(wrong) == "InvalidSignatureException");
    BOOST_TEST((wrong.error().code == condition::auth_failed));

    const auto skewed = raw(local, list_app_instances(), good,
                            [] { return std::chrono::system_clock::now() - std::chrono::minutes(6); });
    BOOST_TEST(aws_code(skewed) == "InvalidSignatureException");
    BOOST_TEST(skewed.error().message().find("Signature expired") != std::string::npos);

    // A session token is part of what is signed.
    BOOST_TEST(raw(local, list_app_instances(), {test::local_access_key, test::local_secret_key, "TOKEN+/=", {}, ""})
                   .has_value());

    const auto s = local.server.stats();
    BOOST_TEST(s.at("by_operation").at("ListAppInstances").at("403").to_number<int>() == 3);
}

BOOST_AUTO_TEST_CASE(a_tampered_body_fails_the_signature) {
    local::verifier v(test::local_access_key, test::local_secret_key);
    auth::signer signer;
    const auto now = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + std::chrono::hours(3);
    const std::string body = R"({"Name":"original"})";
    const std::string hash = auth::payload_hash(body);
    const auth::header_field fields[] = {{"host", "127.0.0.1"}};
    for (const bool with_hash_header : {true, false}) {
        const auto sig = signer.sign({.method = "POST", .path = "/app-instances", .headers = fields, .payload_hash = hash},
                                     good, {.region = "us-east-1", .service = "chime", .time = now,
                                            .add_content_sha256 = with_hash_header});
        http::request req;
        req.headers = {{"Host", "127.0.0.1"}, {"X-Amz-Date", sig.amz_date}, {"Authorization", sig.authorization}};
        if (with_hash_header)
            req.headers.push_back({"x-amz-content-sha256", sig.content_sha256});
        req.body = body;
        BOOST_TEST(!v.check_header("POST", "/app-instances", req, now)); // as signed: accepted
        req.body = R"({"Name":"tampered"})";
        const auto f = v.check_header("POST", "/app-instances", req, now);
        BOOST_TEST_REQUIRE(f.has_value());
        BOOST_TEST(f->code == "InvalidSignatureException");
    }
}

BOOST_AUTO_TEST_CASE(oversized_requests_and_headers_are_refused_with_an_answer) {
    test::local_emulator local;
    http::request big = list_app_instances();
    big.method = "POST";
    big.body.assign(2 * 1024 * 1024, 'x'); // twice the 1 MiB limit
    const auto body = raw(local, big, good);
    BOOST_TEST(aws_code(body) == "RequestEntityTooLargeException", (body ? "no error" : body.error().message()));
    BOOST_TEST((!body && body.error().diag->http_status == 413u));
    http::request tall = list_app_instances();
    tall.headers.push_back({"x-padding", std::string(16 * 1024, 'y')});
    const auto headers = raw(local, tall, good);
    BOOST_TEST(aws_code(headers) == "RequestHeaderFieldsTooLargeException", (headers ? "no error" : headers.error().message()));
    BOOST_TEST((!headers && headers.error().diag->http_status == 431u));
    // The server is still serving.
    BOOST_TEST(raw(local, list_app_instances(), good).has_value());
}

BOOST_AUTO_TEST_CASE(malformed_authorization_headers) {
    local::verifier v(test::local_access_key, test::local_secret_key);
    http::request req;
    req.headers = {{"Host", "127.0.0.1"}, {"X-Amz-Date", "20240102T030405Z"}};
    const auto now = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + std::chrono::hours(3);
    auto check = [&](std::string authz) {
        req.headers.resize(2);
        req.headers.push_back({"Authorization", std::move(authz)});
        const auto f = v.check_header("GET", "/app-instances", req, now);
        return f ? f->code : std::string("ok");
    };
    BOOST_TEST(check("Basic dXNlcjpwYXNz") == "IncompleteSignatureException");
    BOOST_TEST(check("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/chime/aws4_request") ==
               "IncompleteSignatureException");
    BOOST_TEST(check("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/chime/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=00") == "InvalidSignatureException");
    BOOST_TEST(check("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=00") == "InvalidSignatureException");
    BOOST_TEST(check("AWS4-HMAC-SHA256 Credential=broken, SignedHeaders=host, Signature=00") ==
               "IncompleteSignatureException");
    // Found by fuzz_local_front_door: a year the clock cannot hold is refused, not overflowed.
    req.headers[1].value = "99991231T235959Z";
    BOOST_TEST(check("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/99991231/us-east-1/chime/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=00") == "IncompleteSignatureException");
}

BOOST_AUTO_TEST_CASE(presigned_urls_verify_and_expire) {
    local::verifier v(test::local_access_key, test::local_secret_key);
    auth::signer signer;
    const auto t0 = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + std::chrono::hours(3);
    const auth::header_field host{"host", "127.0.0.1:8443"};
    auth::signing_params p{.region = "us-east-1", .service = "chime", .time = t0};
    p.expires = std::chrono::seconds(10);
    const auto q = signer.presign({.method = "GET", .path = "/connect", .query = "userArn=arn%3Aaws%3Achime%3Ax&sessionId=1",
                                   .headers = std::span(&host, 1), .payload_hash = {}},
                                  {test::local_access_key, test::local_secret_key, "tok/en+", {}, ""}, p);
    const std::string target = "/connect?" + q.query;
    BOOST_TEST(!v.check_presigned("GET", target, "127.0.0.1:8443", t0 + std::chrono::seconds(5)));
    BOOST_TEST(v.check_presigned("GET", target, "localhost:8443", t0)->code == "InvalidSignatureException");
    BOOST_TEST(v.check_presigned("GET", target, "127.0.0.1:8443", t0 + std::chrono::minutes(10))->message.starts_with(
        "Signature expired"));
    std::string tampered = target;
    tampered.replace(tampered.find("sessionId=1"), 11, "sessionId=2");
    BOOST_TEST(v.check_presigned("GET", tampered, "127.0.0.1:8443", t0)->code == "InvalidSignatureException");
    // Found by fuzz_local_front_door: digits after a bad character in X-Amz-Expires used to overflow.
    std::string expires = target;
    expires.replace(expires.find("X-Amz-Expires=10"), 16, "X-Amz-Expires=1x00000000000000000000000");
    const auto f = v.check_presigned("GET", expires, "127.0.0.1:8443", t0);
    BOOST_TEST((f && f->message.starts_with("X-Amz-Expires must be 1 to 604800 seconds")));
}

BOOST_AUTO_TEST_CASE(errors_on_the_wire_and_unknown_routes) {
    test::local_emulator local;
    http::request r;
    r.method = "GET";
    r.path = "/app-instances/" + uri_encode("arn:aws:chime:us-east-1:123456789012:app-instance/none");
    const auto missing = raw(local, r, good);
    BOOST_REQUIRE(!missing);
    BOOST_TEST((missing.error().code == aws_errc::not_found)); // decoded from x-amzn-ErrorType + {"Code","Message"}
    BOOST_TEST(missing.error().message().find("does not exist") != std::string::npos);
    BOOST_TEST(!missing.error().diag->request_id.empty());

    http::request nowhere;
    nowhere.path = "/no/such/thing";
    const auto unknown = raw(local, nowhere, good);
    BOOST_TEST(aws_code(unknown) == "UnknownOperationException");
    BOOST_TEST(unknown.error().diag->http_status == 404u);

    http::request bad_json;
    bad_json.method = "POST";
    bad_json.path = "/app-instances";
    bad_json.body = "{not json";
    BOOST_TEST(aws_code(raw(local, bad_json, good)) == "BadRequestException");
}

BOOST_AUTO_TEST_CASE(members_bound_to_the_uri_query_or_headers_are_never_read_from_the_body) {
    const local::router routes;
    const std::string uri_channel = "arn:aws:chime:us-east-1:123456789012:app-instance/a/channel/from-uri";
    http::request req;
    req.method = "POST";
    req.body = R"({"ChannelArn":"from-body","ChimeBearer":"from-body","Content":"hi","Type":"STANDARD"})";
    const std::string target = "/channels/" + uri_encode(uri_channel) + "/messages";

    auto routed = routes.route("POST", target, req);
    BOOST_REQUIRE(routed);
    BOOST_TEST(routed->op->name == "SendChannelMessage");
    BOOST_TEST(routed->input.at("ChannelArn").as_string() == uri_channel);
    BOOST_TEST(!routed->input.contains("ChimeBearer")); // no x-amz-chime-bearer header: absent, not "from-body"
    BOOST_TEST(routed->input.at("Content").as_string() == "hi");

    req.headers.push_back({"X-Amz-Chime-Bearer", "arn:aws:chime:us-east-1:123456789012:app-instance/a/user/u"});
    routed = routes.route("POST", target, req);
    BOOST_REQUIRE(routed);
    BOOST_TEST(routed->input.at("ChimeBearer").as_string() == "arn:aws:chime:us-east-1:123456789012:app-instance/a/user/u");

    http::request list;
    list.method = "GET";
    const auto listed = routes.route("GET", "/channels?app-instance-arn=arn%3Aaws%3Achime%3Aus-east-1%3A1%3Aapp-instance%2Fa&max-results=7", list);
    BOOST_REQUIRE(listed);
    BOOST_TEST(listed->op->name == "ListChannels");
    BOOST_TEST(listed->input.at("AppInstanceArn").as_string() == "arn:aws:chime:us-east-1:1:app-instance/a");
    BOOST_TEST(listed->input.at("MaxResults").as_int64() == 7);
    BOOST_CHECK_THROW(routes.route("GET", "/channels?app-instance-arn=x&max-results=seven", list), local::api_error);
    BOOST_TEST(!routes.route("GET", "/no-such-prefix/at-all", list));
}

BOOST_AUTO_TEST_CASE(injected_faults_and_counters) {
    local::server_options o;
    o.faults.per_operation["ListAppInstances"] = {.rate = 0.001, .burst = 2};
    test::local_emulator local(o);
    BOOST_TEST(raw(local, list_app_instances(), good).has_value());
    BOOST_TEST(raw(local, list_app_instances(), good).has_value());
    const auto throttled = raw(local, list_app_instances(), good);
    BOOST_TEST(aws_code(throttled) == "ThrottledClientException");
    BOOST_TEST((throttled.error().code == condition::throttled));

    local::fault_options f;
    f.error_503 = 1;
    local.server.set_faults(f);
    const auto unavailable = raw(local, list_app_instances(), good);
    BOOST_TEST((!unavailable && unavailable.error().code == aws_errc::service_unavailable));

    f = {};
    f.close_before_response = 1;
    local.server.set_faults(f);
    const auto dropped = raw(local, list_app_instances(), good);
    BOOST_TEST((!dropped && dropped.error().code == errc::connection_reset));

    f = {};
    f.close_mid_response = 1;
    local.server.set_faults(f);
    const auto cut = raw(local, list_app_instances(), good);
    BOOST_TEST((!cut && cut.error().code == errc::connection_reset));

    local.server.set_faults({});
    const auto s = local.server.stats();
    BOOST_TEST(s.at("throttled_total").to_number<int>() == 1);
    BOOST_TEST(s.at("by_operation").at("ListAppInstances").at("429").to_number<int>() == 1);
    BOOST_TEST(s.at("by_operation").at("ListAppInstances").at("503").to_number<int>() == 1);
    BOOST_TEST(s.at("cpu_seconds").to_number<double>() > 0);
}

// Header names in any case, a chunked body, and an upgrade that is not a websocket's: what a client
// other than ours may send, over plain TCP so the bytes are exactly these.
BOOST_AUTO_TEST_CASE(chunked_bodies_and_header_names_in_any_case_are_read_whole) {
    local::server_options plain;
    plain.tls = false;
    test::local_emulator local(plain);
    const std::string host = "127.0.0.1:" + std::to_string(local.server.port());
    const std::string body = R"({"Name":"chunked","ClientRequestToken":"token-0001"})";
    const auth::header_field fields[] = {{"host", host}};
    const auto sig = auth::signer().sign({.method = "POST", .path = "/app-instances", .headers = fields,
                                          .payload_hash = auth::payload_hash(body)},
                                         good, {.region = "us-east-1", .service = "chime", .time = std::chrono::system_clock::now()});
    const std::size_t half = body.size() / 2;
    auto hex = [](std::size_t n) {
        char buf[24];
        return std::string(buf, std::to_chars(buf, buf + sizeof buf, n, 16).ptr);
    };
    const std::string sizes[] = {hex(half), hex(body.size() - half)};
    const std::string wire = "POST /app-instances HTTP/1.1\r\nHOST: " + host + "\r\nx-AMZ-date: " + sig.amz_date +
                             "\r\nauthorization: " + sig.authorization +
                             "\r\nConnection: Upgrade, close\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n" +
                             sizes[0] + "\r\n" + body.substr(0, half) + "\r\n" + sizes[1] + "\r\n" + body.substr(half) +
                             "\r\n0\r\n\r\n";
    const std::string answer = run([&]() -> asio::awaitable<std::string> {
        using namespace asio::experimental::awaitable_operators;
        asio::ip::tcp::socket sock(co_await asio::this_coro::executor);
        const asio::ip::tcp::endpoint to(asio::ip::make_address("127.0.0.1"), local.server.port());
        co_await sock.async_connect(to, asio::use_awaitable);
        co_await asio::async_write(sock, asio::buffer(wire), asio::use_awaitable);
        std::string text;
        asio::steady_timer limit(sock.get_executor(), std::chrono::seconds(10));
        auto read_all = asio::async_read(sock, asio::dynamic_buffer(text), asio::as_tuple(asio::use_awaitable)); // to EOF
        co_await (std::move(read_all) || limit.async_wait(asio::as_tuple(asio::use_awaitable)));
        co_return text;
    }());
    BOOST_TEST(answer.starts_with("HTTP/1.1 201"), answer);
    BOOST_TEST(answer.find("arn:aws:chime:us-east-1:") != std::string::npos, answer);
    const auto s = local.server.stats();
    BOOST_TEST(s.at("by_operation").at("CreateAppInstance").at("201").to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(control_routes_need_no_signature) {
    test::local_emulator local;
    auto call = [&](std::string method, std::string path, std::string body) {
        return run([&]() -> asio::awaitable<result<http::response>> {
            const auto ex = co_await asio::this_coro::executor;
            net::pool_options o;
            o.tls.ca_file = local.ca_file();
            net::connection_pool pool(ex, net::endpoint::parse(local.server.url()).value(), o);
            http::request r;
            r.method = method;
            r.path = path;
            r.body = body;
            r.headers = {{"Host", "127.0.0.1"}, {"Content-Type", "application/json"}};
            co_return co_await pool.exchange(r);
        }());
    };
    const auto set = call("POST", "/_chime_local/faults", R"({"error_500": 0.25, "throttle": {"rate": 10}})");
    BOOST_REQUIRE(set.has_value());
    BOOST_TEST(set->status == 200u);
    BOOST_TEST(json::parse(set->body).at("throttle").at("burst").to_number<double>() == 10);
    const auto bad = call("POST", "/_chime_local/faults", R"({"error_500": 2})");
    BOOST_TEST(bad->status == 400u);
    BOOST_TEST(bad->body.find("error_500") != std::string::npos);
    const auto unknown = call("POST", "/_chime_local/faults", R"({"explode": true})");
    BOOST_TEST(unknown->body.find("unknown member explode") != std::string::npos);
    const auto stats = call("GET", "/_chime_local/stats", "");
    BOOST_TEST(json::parse(stats->body).at("requests_total").to_number<int>() == 0); // control routes are not counted
}

BOOST_AUTO_TEST_SUITE_END()
