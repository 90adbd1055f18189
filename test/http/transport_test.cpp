// The request path against the scripted server: signing as the server sees it, errors, logging
// with secrets redacted, metrics, cancellation.

#include "support/test_server.hpp"
#include "support/test_support.hpp"
#include "util/iso8601.hpp"

#include <chime/transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>

using namespace chime;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using chime::test::reply;
using chime::test::run;
using chime::test::test_server;

namespace {

const auth::credentials test_creds{
    "AKIDTRANSPORT", "transport/secret+KEY", "SESSIONTOKEN/abc+def==", {}, "test"};

// Recomputes the Authorization header from the request as it arrived: what a SigV4 verifier does.
bool signature_verifies(const test::received_request& r) {
    const std::string auth(r.header_value("Authorization"));
    const auto sh = auth.find("SignedHeaders=");
    const auto sig = auth.find(", Signature=");
    if (sh == std::string::npos || sig == std::string::npos)
        return false;
    const std::string signed_list = auth.substr(sh + 14, sig - sh - 14);
    std::vector<auth::header_field> fields;
    bool content_sha = false;
    for (const auto& h : r.headers) {
        std::string lname = h.name;
        for (char& c : lname)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool listed = (";" + signed_list + ";").find(";" + lname + ";") != std::string::npos;
        content_sha = content_sha || (listed && lname == "x-amz-content-sha256");
        if (listed && lname != "x-amz-date" && lname != "x-amz-security-token" &&
            lname != "x-amz-content-sha256")
            fields.push_back({h.name, h.value});
    }
    std::string amz_date(r.header_value("X-Amz-Date"));
    const std::string iso = amz_date.substr(0, 4) + "-" + amz_date.substr(4, 2) + "-" +
                            amz_date.substr(6, 2) + "T" + amz_date.substr(9, 2) + ":" +
                            amz_date.substr(11, 2) + ":" + amz_date.substr(13, 2) + "Z";
    const auto q = r.target.find('?');
    const std::string path = r.target.substr(0, q);
    const std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
    const std::string hash = auth::payload_hash(r.body);
    auth::signing_params p{
        .region = "eu-west-1", .service = "chime", .time = *chime::detail::parse_iso8601(iso)};
    p.add_content_sha256 = content_sha;
    const auto expected = auth::signer{}.sign(
        {.method = r.method, .path = path, .query = query, .headers = fields, .payload_hash = hash},
        test_creds, p);
    return expected.authorization == auth &&
           r.header_value("X-Amz-Security-Token") == test_creds.session_token;
}

struct fixture {
    test_server server{{.tls = true}, [this](const test::received_request& r) { return on_request(r); }};
    std::function<reply(const test::received_request&)> next = [](const auto&) { return reply{}; };
    std::mutex mutex;
    std::vector<std::string> log_lines;
    std::vector<call_metrics> metrics;

    reply on_request(const test::received_request& r) { return next(r); }

    transport_options options() {
        transport_options o;
        o.pool.tls.ca_file = chime::test::loopback_ca_file();
        o.logger = [this](log_level, std::string_view line) {
            std::lock_guard lock(mutex);
            log_lines.emplace_back(line);
        };
        o.on_metrics = [this](const call_metrics& m) { metrics.push_back(m); };
        o.retry.max_attempts = 1; // the retry tests below turn retries on
        return o;
    }
    net::endpoint ep() const { return net::endpoint::parse(server.url()).value(); }
};

http::request channel_messages_request() {
    http::request r;
    r.method = "POST";
    r.path = "/channels/arn%3Aaws%3Achime%3Aeu-west-1%3A111122223333%3Aapp-instance%2Fabc%2Fchannel%2Fdef/"
             "messages";
    r.query = "max-results=5&next-token=a%2Bb%3D";
    r.headers.push_back(
        {"x-amz-chime-bearer", "arn:aws:chime:eu-west-1:111122223333:app-instance/abc/user/u"});
    r.body = R"({"Content":"hi"})";
    return r;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(transport_path, fixture)

BOOST_AUTO_TEST_CASE(requests_are_signed_and_verify_at_the_server) {
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        const signing_scope scope("eu-west-1");
        for (int i = 0; i < 3; ++i) {
            auto r = co_await t.send(ep(), channel_messages_request(), scope, "SendChannelMessage");
            BOOST_TEST(r.has_value());
        }
    }());
    const auto received = server.requests();
    BOOST_REQUIRE_EQUAL(received.size(), 3u);
    for (const auto& r : received) {
        BOOST_TEST(signature_verifies(r));
        BOOST_TEST(r.header_value("Host") == ep().host_header());
        BOOST_TEST(r.header_value("Content-Type") == "application/json");
        BOOST_TEST(r.header_value("x-amz-content-sha256") == auth::payload_hash(r.body));
        BOOST_TEST(r.header_value("User-Agent") == "chime-cpp/0.1");
        const std::string authz(r.header_value("Authorization"));
        BOOST_TEST(
            authz.find("SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-type;host;x-amz-chime-bearer;"
                       "x-amz-content-sha256;x-amz-date;x-amz-security-token,") != std::string::npos);
    }
    BOOST_TEST(metrics.size() == 3u);
    BOOST_TEST(!metrics[0].connection_reused);
    BOOST_TEST(metrics[2].connection_reused);
    BOOST_TEST(metrics[2].operation == "SendChannelMessage");
    BOOST_TEST(metrics[2].http_status == 200u);
    BOOST_TEST(metrics[2].bytes_sent > 0u);
    BOOST_TEST(metrics[2].bytes_received > 0u);
}

BOOST_AUTO_TEST_CASE(the_transports_own_headers_replace_any_the_request_carries) {
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        const signing_scope scope("eu-west-1");
        auto req = channel_messages_request();
        for (const char* name : {"authorization", "X-Amz-Date", "user-agent", "AMZ-SDK-REQUEST", "amz-sdk-invocation-id",
                                 "x-amz-content-sha256", "X-Amz-Security-Token"})
            req.headers.push_back({name, "stale"});
        req.headers.push_back({"X-Kept", "mine"});
        auto r = co_await t.send(ep(), std::move(req), scope, "SendChannelMessage");
        BOOST_TEST(r.has_value());
    }());
    const auto received = server.requests();
    BOOST_REQUIRE_EQUAL(received.size(), 1u);
    const auto& r = received[0];
    BOOST_TEST(signature_verifies(r));
    for (const char* name : {"Authorization", "X-Amz-Date", "User-Agent", "amz-sdk-request", "amz-sdk-invocation-id",
                             "x-amz-content-sha256", "X-Amz-Security-Token"}) {
        const auto n = std::count_if(r.headers.begin(), r.headers.end(),
                                     [&](const http::header& h) { return http::iequals(h.name, name); });
        BOOST_TEST(n == 1, name << " sent " << n << " times");
        BOOST_TEST(r.header_value(name) != "stale", name);
    }
    BOOST_TEST(r.header_value("X-Kept") == "mine");
    BOOST_TEST(r.header_value("amz-sdk-request").starts_with("attempt=1; max="));
}

BOOST_AUTO_TEST_CASE(service_errors_come_back_decoded) {
    next = [](const auto&) {
        return reply{.status = 429,
                     .headers = {{"x-amzn-ErrorType", "ThrottledClientException:http://internal.amazon.com/"},
                                 {"x-amzn-RequestId", "11111111-2222"}},
                     .body = R"({"Code":"ThrottledClientException","Message":"Rate exceeded"})"};
    };
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        auto r = co_await t.send(ep(), channel_messages_request(), {}, "SendChannelMessage");
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error().code == aws_errc::throttled_client));
        BOOST_TEST((r.error().code == condition::throttled));
        BOOST_TEST(r.error().diag->request_id == "11111111-2222");
        BOOST_CHECK_EXCEPTION(r.value(), exception, [](const exception& e) {
            return e.diag().http_status == 429 &&
                   std::string(e.what()).find("Rate exceeded") != std::string::npos;
        });
    }());
    BOOST_TEST((metrics.at(0).error == aws_errc::throttled_client));
    BOOST_TEST(metrics.at(0).http_status == 429u);
}

BOOST_AUTO_TEST_CASE(any_2xx_is_success) {
    next = [](const auto&) { return reply{.status = 204, .body = ""}; };
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        auto r = co_await t.send(ep(), channel_messages_request(), {});
        BOOST_TEST(r.value().status == 204u);
    }());
}

BOOST_AUTO_TEST_CASE(logs_never_carry_secrets) {
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        co_await t.send(ep(), channel_messages_request(), {});
    }());
    const std::string signature = [&] {
        const std::string a(server.requests().at(0).header_value("Authorization"));
        return a.substr(a.find("Signature=") + 10);
    }();
    BOOST_REQUIRE(!log_lines.empty());
    bool saw_redacted = false;
    for (const auto& line : log_lines) {
        BOOST_TEST(line.find(test_creds.secret_access_key) == std::string::npos);
        BOOST_TEST(line.find(test_creds.session_token) == std::string::npos);
        BOOST_TEST(line.find(signature) == std::string::npos);
        saw_redacted = saw_redacted || line.find("Authorization: <redacted>") != std::string::npos;
    }
    BOOST_TEST(saw_redacted);
}

BOOST_AUTO_TEST_CASE(missing_credentials_are_an_error_value) {
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        const environment empty = environment::from_map({});
        auto provider = auth::make_default_provider(load_config("Chime SDK Messaging", {}, empty), empty);
        transport t(ex, provider, options());
        auto r = co_await t.send(ep(), channel_messages_request(), {});
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error().code == errc::no_credentials));
        BOOST_TEST(r.error().message().find("no AWS credentials found") == 0u);
    }());
    BOOST_TEST(server.stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(cancellation_reaches_the_exchange) {
    using namespace asio::experimental::awaitable_operators;
    next = [](const auto&) { return reply{.what = reply::kind::never_respond}; };
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), options());
        asio::steady_timer timer(ex, 30ms);
        auto outcome =
            co_await (t.send(ep(), channel_messages_request(), {}) || timer.async_wait(asio::use_awaitable));
        BOOST_TEST(outcome.index() == 1u);
        BOOST_TEST(t.pool(ep()).counters().open == 0u);
    }());
}

BOOST_AUTO_TEST_CASE(destroying_the_transport_mid_call_is_safe) {
    next = [](const auto&) { return reply{.delay = 30ms}; };
    bool completed = false;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        auto t = std::make_unique<transport>(ex, auth::make_static_provider(test_creds), options());
        const net::endpoint target = ep();
        asio::co_spawn(ex, [&completed, &t, target]() -> asio::awaitable<void> {
            auto r = co_await t->send(target, channel_messages_request(), {});
            completed = r.has_value();
        }, asio::detached);
        asio::steady_timer timer(ex, 10ms);
        co_await timer.async_wait(asio::use_awaitable);
        t.reset(); // the call is waiting for its response
    }());
    BOOST_TEST(completed);
}

BOOST_AUTO_TEST_CASE(retries_keep_the_invocation_id_and_count_attempts_on_the_wire) {
    next = [](const test::received_request& r) {
        return r.header_value("amz-sdk-request").starts_with("attempt=3") ? reply{}
                                                                           : reply{.status = 503, .body = "{}"};
    };
    auto o = options();
    o.retry = retry_options{.max_attempts = 3, .transient_base = 1ms};
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), o);
        const signing_scope scope("eu-west-1");
        auto r = co_await t.send(ep(), channel_messages_request(), scope, "SendChannelMessage");
        BOOST_TEST(r.has_value());
    }());
    const auto got = server.requests();
    BOOST_REQUIRE_EQUAL(got.size(), 3u);
    const std::string id(got[0].header_value("amz-sdk-invocation-id"));
    BOOST_TEST(id.size() == 36u);
    BOOST_TEST(id[14] == '4'); // a version 4 UUID
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(got[i].header_value("amz-sdk-invocation-id") == id); // one per logical call
        BOOST_TEST(got[i].header_value("amz-sdk-request") == "attempt=" + std::to_string(i + 1) + "; max=3");
        BOOST_TEST(got[i].body == got[0].body);
        BOOST_TEST(signature_verifies(got[i])); // signed afresh, the new headers included
    }
    BOOST_REQUIRE_EQUAL(metrics.size(), 1u);
    BOOST_TEST(metrics[0].attempts == 3);
    BOOST_TEST(metrics[0].throttles == 0);
    // A second call gets a new invocation id.
    run([&]() -> asio::awaitable<void> {
        transport t(co_await asio::this_coro::executor, auth::make_static_provider(test_creds), o);
        co_await t.send(ep(), channel_messages_request(), {});
    }());
    BOOST_TEST(server.requests().at(3).header_value("amz-sdk-invocation-id") != id);
}

BOOST_AUTO_TEST_CASE(cancellation_ends_a_backoff_sleep_at_once) {
    using namespace asio::experimental::awaitable_operators;
    // Retry-After: 5 makes the sleep at least 5 s.
    next = [](const auto&) { return reply{.status = 503, .headers = {{"Retry-After", "5"}}, .body = "{}"}; };
    auto o = options();
    o.retry = retry_options{};
    const auto t0 = std::chrono::steady_clock::now();
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), o);
        asio::steady_timer timer(ex, 50ms);
        auto outcome = co_await (t.send(ep(), channel_messages_request(), {}, "SendChannelMessage") ||
                                 timer.async_wait(asio::use_awaitable));
        BOOST_TEST(outcome.index() == 1u);
    }());
    BOOST_TEST(((std::chrono::steady_clock::now() - t0) < 3s)); // not the 5 s sleep
    BOOST_TEST(server.requests().size() == 1u);
    BOOST_REQUIRE_EQUAL(metrics.size(), 1u);
    BOOST_TEST((metrics[0].error == errc::cancelled));
}

BOOST_AUTO_TEST_CASE(a_deadline_covers_every_attempt) {
    std::atomic<bool> hang{false};
    next = [&hang](const auto&) {
        return hang ? reply{.what = reply::kind::never_respond} : reply{.status = 503, .body = "{}", .delay = 5ms};
    };
    auto o = options();
    o.retry = retry_options{.max_attempts = 1000, .transient_base = 20ms, .call_timeout = 100ms};
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), o);
        auto r = co_await t.send(ep(), channel_messages_request(), {}, "SendChannelMessage");
        BOOST_REQUIRE(!r);
        BOOST_TEST((r.error().code == condition::retryable || r.error().code == errc::deadline_exceeded),
                   r.error().message());
        BOOST_TEST(r.error().diag->attempts > 1);
        BOOST_TEST(r.error().message().find("deadline") != std::string::npos, r.error().message());

        // An attempt that would outlive the deadline is cut at the deadline.
        call_options quick;
        quick.timeout = 50ms;
        hang = true;
        auto hung = co_await t.send(ep(), channel_messages_request(), {}, "SendChannelMessage", quick);
        BOOST_REQUIRE(!hung);
        BOOST_TEST((hung.error().code == errc::deadline_exceeded));
    }());
    BOOST_REQUIRE_EQUAL(metrics.size(), 2u);
    // Slack for a loaded machine, but nowhere near the 1000 attempts or the pool's 30 s timeout.
    BOOST_TEST((metrics[0].latency < 100ms + 400ms));
    BOOST_TEST((metrics[1].latency >= 50ms));
    BOOST_TEST((metrics[1].latency < 50ms + 400ms));
}

BOOST_AUTO_TEST_CASE(a_request_that_may_have_taken_effect_is_retried_only_if_idempotent) {
    // The headers and half the body, then the connection closes: the server saw the request.
    next = [](const auto&) { return reply{.what = reply::kind::close_mid_body, .body = R"({"MessageId":"m-1"})"}; };
    auto o = options();
    o.retry = retry_options{.max_attempts = 3, .transient_base = 1ms};
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        transport t(ex, auth::make_static_provider(test_creds), o);
        auto post = co_await t.send(ep(), channel_messages_request(), {}, "SendChannelMessage");
        BOOST_REQUIRE(!post);
        BOOST_TEST((post.error().code == errc::connection_reset));
        BOOST_TEST(post.error().message().find("not idempotent") != std::string::npos, post.error().message());

        call_options safe; // e.g. an operation with an idempotency token
        safe.idempotent = true;
        auto tokened = co_await t.send(ep(), channel_messages_request(), {}, "SendChannelMessage", safe);
        BOOST_TEST(!tokened);

        http::request put = channel_messages_request();
        put.method = "PUT";
        auto updated = co_await t.send(ep(), std::move(put), {}, "UpdateChannelMessage");
        BOOST_TEST(!updated);
    }());
    BOOST_REQUIRE_EQUAL(metrics.size(), 3u);
    BOOST_TEST(metrics[0].attempts == 1); // POST without a token: never sent twice
    BOOST_TEST(metrics[1].attempts == 3);
    BOOST_TEST(metrics[2].attempts == 3); // PUT is idempotent
    BOOST_TEST(server.requests().size() == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
