// The fault matrix: one case per fault row, each through the typed client against a scripted TLS
// server. Every case asserts the outcome (retried and succeeded, or failed with the documented code),
// that the call ended within its deadline, how many requests the server saw (a non-idempotent request is
// never sent twice once response bytes arrived), and that the pool is back to idle afterwards. The test
// coroutine runs on an io_context that must drain completely (test::run), so a leaked coroutine or timer
// is a hang, and the ASan build checks for leaked memory.
//
// The websocket rows (drop with 1006, each terminal and retryable close code, a server that stops
// answering pings) are in test/local/messaging_session_test.cpp, against chime-local's websocket faults.

#include <chime/messaging/client.hpp>

#include "support/test_server.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <vector>

using namespace chime;
namespace asio = boost::asio;
using chime::test::reply;
using chime::test::run;
using chime::test::test_server;
using namespace std::chrono_literals;

namespace {

const std::string channel = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def";
const std::string bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/u";
const std::string sent_body = R"({"ChannelArn":"arn:c","MessageId":"m-1","Status":{"Value":"SENT"}})";
const std::string member_body = R"({"ChannelArn":"arn:c","Member":{"Arn":"arn:m"}})";

constexpr auto deadline = 1500ms;     // the call's deadline over all attempts
constexpr auto slack = 400ms;         // scheduling on a loaded 2-core machine (sanitizer builds)

/// What one call did.
struct outcome {
    bool ok = false;
    error_code code;
    std::string message;
    int attempts = 0;
    std::chrono::steady_clock::duration elapsed{};
    std::size_t requests = 0;     // seen by the server
    net::pool_counters pool;
};

/// Replies in turn from a script; the last one repeats.
std::function<reply(const test::received_request&)> script(std::vector<reply> replies) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    auto all = std::make_shared<std::vector<reply>>(std::move(replies));
    return [next, all](const test::received_request&) {
        const std::size_t i = next->fetch_add(1);
        return (*all)[std::min(i, all->size() - 1)];
    };
}

client_config config(const std::string& url, const std::string& ca_file, int& attempts) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint_url = url;
    c.credentials = auth::make_static_provider({"AKIDCLIENT", "secret", "", {}, ""});
    c.transport.pool.tls.ca_file = ca_file;
    c.transport.pool.connect_timeout = 500ms;
    c.transport.pool.request_timeout = 300ms;
    c.transport.retry.call_timeout = deadline;
    c.transport.retry.transient_base = 10ms;
    c.transport.retry.throttling_base = 20ms;
    c.transport.on_metrics = [&attempts](const call_metrics& m) { attempts = m.attempts; };
    return c;
}

enum class op { send_message, create_membership }; // with an idempotency token / a POST without one

asio::awaitable<outcome> call(op which, const std::string& url, const std::string& ca_file, const test_server* server) {
    outcome o;
    const auto ex = co_await asio::this_coro::executor;
    messaging::client c(ex, config(url, ca_file, o.attempts));
    const auto t0 = std::chrono::steady_clock::now();
    if (which == op::send_message) {
        messaging::send_channel_message_request r{.channel_arn = channel, .content = "hi",
                                                  .type = messaging::channel_message_type::standard,
                                                  .persistence = messaging::channel_message_persistence_type::persistent,
                                                  .chime_bearer = bearer};
        auto sent = co_await c.send_channel_message(std::move(r), no_throw);
        o.ok = sent.has_value();
        if (!sent) {
            o.code = sent.error().code;
            o.message = sent.error().message();
        }
    } else {
        messaging::create_channel_membership_request r{.channel_arn = channel, .member_arn = "arn:m",
                                                       .type = messaging::channel_membership_type::default_,
                                                       .chime_bearer = bearer};
        auto made = co_await c.create_channel_membership(std::move(r), no_throw);
        o.ok = made.has_value();
        if (!made) {
            o.code = made.error().code;
            o.message = made.error().message();
        }
    }
    o.elapsed = std::chrono::steady_clock::now() - t0;
    if (server)
        o.requests = server->requests().size();
    o.pool = c.core().transport().pool(net::endpoint::parse(url).value()).counters();
    co_return o;
}

outcome call_now(op which, const test_server& server) {
    return run(call(which, server.url(), test::loopback_ca_file(), &server));
}

// Common to every row: within the deadline, nothing left borrowed or waiting in the pool.
void check_bounded_and_idle(const outcome& o) {
    BOOST_TEST(o.elapsed <= deadline + slack, std::chrono::duration<double>(o.elapsed).count() << " s");
    BOOST_TEST(o.pool.open == o.pool.idle);
    BOOST_TEST(o.pool.waiting == 0u);
}

reply ok_reply(const std::string& body = sent_body) { return reply{.status = 201, .body = body}; }

reply error_reply(unsigned status, const std::string& code) {
    return reply{.status = status, .headers = {{"x-amzn-ErrorType", code}},
                 .body = R"({"Code":")" + code + R"(","Message":"injected"})"};
}

std::string head_only(std::size_t content_length) {
    return "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
           "\r\n\r\n";
}

// A response cut after some of its bytes arrived: SendChannelMessage (with its ClientRequestToken) is
// sent again and succeeds; CreateChannelMembership (a POST without a token) is never sent twice.
void check_cut_response(const reply& cut) {
    {
        test_server server({}, script({cut, ok_reply()}));
        const auto o = call_now(op::send_message, server);
        BOOST_TEST(o.ok, o.message);
        BOOST_TEST(o.requests == 2u);
        check_bounded_and_idle(o);
    }
    {
        test_server server({}, script({cut, ok_reply(member_body)}));
        const auto o = call_now(op::create_membership, server);
        BOOST_TEST(!o.ok);
        BOOST_TEST((o.code == errc::connection_reset), o.message);
        BOOST_TEST(o.requests == 1u);
        BOOST_TEST(o.attempts == 1);
        check_bounded_and_idle(o);
    }
}

// A server presenting `identity`, which the client trusts as a CA but which fails verification (expired,
// or for another host): rejected at the handshake, never retried, nothing sent.
void check_rejected_certificate(const test::tls_identity& identity) {
    test::scratch_dir dir;
    const auto ca = dir.path() / "server.pem";
    test::write_file(ca, identity.cert_pem);
    test_server server({.identity = &identity}, script({ok_reply()}));
    const auto o = run(call(op::send_message, server.url(), ca.string(), &server));
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::tls_verify_failed), o.message);
    BOOST_TEST(o.attempts == 1);
    BOOST_TEST(o.requests == 0u);
    check_bounded_and_idle(o);
}

} // namespace

BOOST_AUTO_TEST_SUITE(fault_matrix)

BOOST_AUTO_TEST_CASE(throttling_429_is_retried_then_succeeds) {
    test_server server({}, script({error_reply(429, "ThrottledClientException"), ok_reply()}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(o.ok);
    BOOST_TEST(o.attempts == 2);
    BOOST_TEST(o.requests == 2u);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(a_burst_of_500s_is_retried_then_succeeds) {
    test_server server({}, script({error_reply(500, "ServiceFailureException"), error_reply(500, "ServiceFailureException"), ok_reply()}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(o.ok);
    BOOST_TEST(o.attempts == 3);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(a_burst_of_503s_longer_than_the_attempts_fails_as_service_unavailable) {
    test_server server({}, script({error_reply(503, "ServiceUnavailableException")}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == aws_errc::service_unavailable));
    BOOST_TEST((o.code == condition::retryable));
    BOOST_TEST(o.attempts == 3);
    BOOST_TEST(o.requests == 3u);
    BOOST_TEST(o.message.find("after 3 attempts") != std::string::npos, o.message);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(connection_refused_fails_as_connect_failed_after_the_attempts) {
    std::string url;
    {
        test_server gone({}, script({ok_reply()}));
        url = gone.url();
    }
    const auto o = run(call(op::send_message, url, test::loopback_ca_file(), nullptr));
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::connect_failed));
    BOOST_TEST(o.attempts == 3);
    check_bounded_and_idle(o);
    BOOST_TEST(o.pool.open == 0u);
}

BOOST_AUTO_TEST_CASE(reset_before_the_response_is_retried_even_without_a_token) {
    // No response byte arrived, so the server cannot have answered: a resend is safe for any request.
    for (const op which : {op::send_message, op::create_membership}) {
        test_server server({}, script({reply{.what = reply::kind::close_before_response, .reset = true},
                                       ok_reply(member_body)}));
        const auto o = call_now(which, server);
        BOOST_TEST(o.ok);
        BOOST_TEST(o.requests == 2u);
        check_bounded_and_idle(o);
    }
}

BOOST_AUTO_TEST_CASE(reset_after_the_headers) {
    check_cut_response(reply{.what = reply::kind::raw, .reset = true, .raw = head_only(80)});
}

BOOST_AUTO_TEST_CASE(reset_mid_body) {
    check_cut_response(reply{.what = reply::kind::close_mid_body, .status = 201, .body = sent_body, .reset = true});
}

BOOST_AUTO_TEST_CASE(a_truncated_chunked_body_is_retried_with_a_token_only) {
    check_cut_response(reply{.what = reply::kind::raw,
                             .raw = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"ChannelArn\":\"arn:c\",\"Mess"});
}

BOOST_AUTO_TEST_CASE(a_malformed_json_body_is_a_final_bad_response) {
    test_server server({}, script({reply{.status = 201, .body = "{\"ChannelArn\": not json"}}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::bad_response));
    BOOST_TEST(o.attempts == 1);
    BOOST_TEST(o.requests == 1u);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(a_content_length_longer_than_the_body) {
    const reply cut{.what = reply::kind::raw, .raw = head_only(sent_body.size() + 40) + sent_body};
    test_server server({}, script({cut, ok_reply()}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(o.ok);
    BOOST_TEST(o.requests == 2u);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(a_content_length_shorter_than_the_body_poisons_nothing) {
    // The answer parses as a truncated body (bad_response); the bytes left over must not be read as the
    // next call's response: that connection is dropped, and the next call succeeds on a fresh one.
    const reply cut{.what = reply::kind::raw, .raw = head_only(20) + sent_body};
    test_server server({}, script({cut, ok_reply()}));
    outcome first, second;
    run([&]() -> asio::awaitable<void> {
        first = co_await call(op::send_message, server.url(), test::loopback_ca_file(), &server);
        second = co_await call(op::send_message, server.url(), test::loopback_ca_file(), &server);
    }());
    BOOST_TEST(!first.ok);
    BOOST_TEST((first.code == errc::bad_response));
    BOOST_TEST(second.ok);
    BOOST_TEST(server.stats().connections == 2u);
    check_bounded_and_idle(first);
    check_bounded_and_idle(second);
}

BOOST_AUTO_TEST_CASE(a_response_that_never_arrives_ends_at_the_deadline) {
    test_server server({}, script({reply{.what = reply::kind::never_respond}}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::request_timeout || o.code == errc::deadline_exceeded), o.message);
    BOOST_TEST(o.elapsed >= 300ms); // at least one request timeout
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(a_slow_body_trickle_is_cut_by_the_request_timeout) {
    test_server server({}, script({reply{.what = reply::kind::trickle, .status = 201, .body = sent_body,
                                         .trickle_interval = 50ms}}));
    const auto o = call_now(op::send_message, server);
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::request_timeout || o.code == errc::deadline_exceeded), o.message);
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_is_rejected_and_never_retried) {
    check_rejected_certificate(test::make_self_signed({"localhost"}, {"127.0.0.1"}, true));
}

BOOST_AUTO_TEST_CASE(a_certificate_for_another_host_is_rejected_and_never_retried) {
    check_rejected_certificate(test::make_self_signed({"other.example"}, {}));
}

BOOST_AUTO_TEST_CASE(a_dns_failure_is_reported_as_such) {
    const auto o = run(call(op::send_message, "https://chime-cpp-fault-matrix.invalid", test::loopback_ca_file(), nullptr));
    BOOST_TEST(!o.ok);
    BOOST_TEST((o.code == errc::resolve_failed), o.message);
    BOOST_TEST(o.attempts == 3); // retryable, like a refused connection: a resolver can fail for a moment
    check_bounded_and_idle(o);
}

BOOST_AUTO_TEST_SUITE_END()
