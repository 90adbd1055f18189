// Load without loss: 20,000 SendChannelMessage calls from 1,000 concurrent coroutines against chime-local
// answering 10% of requests with 503 and rate-limiting SendChannelMessage (for the first 2 s). Every call must end with a
// result (success or a reported error); the messages chime-local stored must be exactly those of the calls
// that reported success, none twice; and a messaging session connected throughout must receive each of
// them exactly once.

#include "local/chat_fixture.hpp"
#include "local/local_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

using namespace chime;
namespace asio = boost::asio;
namespace msg = chime::messaging;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr int total_calls = 20000;
constexpr int callers = 1000;

struct tally {
    int next = 0;                 // the next call number to take
    int finished_callers = 0;
    std::set<std::string> succeeded;
    std::map<std::string, int> failed_by_code; // error message category:value -> count
    int failed = 0;
    std::map<std::string, int> received;       // content -> times seen on the session
    bool sending_done = false;
};

asio::awaitable<void> caller(msg::client& m, const test::chat& c, tally& t, asio::steady_timer& all_done) {
    while (t.next < total_calls) {
        std::string content = "m-" + std::to_string(t.next++);
        msg::send_channel_message_request r{.channel_arn = c.channel, .content = content,
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = c.alice};
        auto sent = co_await m.send_channel_message(std::move(r), no_throw);
        if (sent) {
            t.succeeded.insert(std::move(content));
        } else {
            ++t.failed;
            ++t.failed_by_code[std::string(sent.error().code.category().name()) + ":" + std::to_string(sent.error().code.value())];
        }
    }
    if (++t.finished_callers == callers)
        all_done.cancel();
}

asio::awaitable<void> listen(async_generator<msg::session_event>& events, tally& t, asio::steady_timer& caught_up) {
    while (auto e = co_await events.next()) {
        if (e->kind() != msg::event_kind::create_channel_message)
            continue;
        ++t.received[e->as_message().value().content.value_or("")];
        if (t.sending_done && t.received.size() >= t.succeeded.size())
            caught_up.cancel();
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(load_without_loss)

BOOST_AUTO_TEST_CASE(twenty_thousand_sends_under_503s_and_a_rate_limit) {
    test::local_emulator local;
    tally t;
    std::size_t stored_total = 0;
    std::int64_t injected_503 = 0, throttled = 0;
    std::set<std::string> stored;
    test::run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        auto cfg = local.config();
        identity::client ids(ex, cfg);
        msg::client setup(ex, cfg);
        const test::chat c = co_await test::make_chat(ids, setup);

        // bob listens for the whole run.
        msg::session_options so;
        so.app_instance_user_arn = c.bob;
        so.reconnect_base = 10ms;
        so.reconnect_cap = 50ms;
        msg::session bob(ex, setup, so);
        auto events = bob.events();
        co_await bob.start();

        // 10% 503s throughout; for the first 2 s also a rate limit of 500 SendChannelMessage/s, below what
        // any build (the sanitizer ones included) can send, so that throttling happens in every run.
        local::fault_options f;
        f.error_503 = 0.10;
        f.per_operation["SendChannelMessage"] = local::rate_limit{.rate = 500, .burst = 50};
        local.server.set_faults(f);
        auto after_2s = f;
        after_2s.per_operation.clear();
        asio::steady_timer lift(ex, 2s);
        lift.async_wait([&local, after_2s](boost::system::error_code) { local.server.set_faults(after_2s); });

        // The senders' client: adaptive mode paces the throttled operation; the retry quota is raised
        // so that the 503s (2,000 expected) are retried rather than returned once the default 500
        // tokens are spent with a thousand calls in flight.
        auto send_cfg = cfg;
        send_cfg.retry_mode = retry_mode::adaptive;
        send_cfg.max_attempts = 6;
        send_cfg.transport.retry.quota_capacity = 100000;
        send_cfg.transport.retry.transient_base = 5ms;
        msg::client senders(ex, send_cfg);

        asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
        asio::steady_timer caught_up(ex, asio::steady_timer::time_point::max());
        asio::co_spawn(ex, listen(events, t, caught_up), asio::detached);
        for (int i = 0; i < callers; ++i)
            asio::co_spawn(ex, caller(senders, c, t, all_done), asio::detached);
        boost::system::error_code ec;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        t.sending_done = true;
        local.server.set_faults({});
        const auto stats = local.server.stats().as_object();
        injected_503 = stats.at("errors_total").to_number<std::int64_t>();
        throttled = stats.at("throttled_total").to_number<std::int64_t>();

        // Every stored message reaches bob's session; give it up to 20 s after the last reply.
        if (t.received.size() < t.succeeded.size()) {
            asio::steady_timer guard(ex, 20s);
            co_await (caught_up.async_wait(asio::redirect_error(asio::use_awaitable, ec)) ||
                      guard.async_wait(asio::redirect_error(asio::use_awaitable, ec)));
        }
        co_await bob.stop();

        msg::list_channel_messages_request list{.channel_arn = c.channel, .max_results = 50, .chime_bearer = c.alice};
        auto items = setup.list_channel_messages_items(std::move(list));
        while (auto m = co_await items.next()) {
            ++stored_total;
            stored.insert(m->content.value_or(""));
        }
    }());

    BOOST_TEST_MESSAGE("503s injected: " << injected_503 << ", throttled: " << throttled << ", failed calls: " << t.failed);
    BOOST_TEST(injected_503 > total_calls / 20); // the faults did happen (10% of the requests)
    BOOST_TEST(throttled > 0);
    BOOST_TEST(int(t.succeeded.size()) + t.failed == total_calls); // every call reported
    for (const auto& [code, n] : t.failed_by_code)
        BOOST_TEST_MESSAGE("failed: " << code << " x" << n);
    BOOST_TEST(t.failed < total_calls / 100, t.failed << " calls failed");
    BOOST_TEST(stored_total == stored.size()); // no message stored twice
    BOOST_TEST(stored == t.succeeded);          // no loss, nothing stored that was reported failed
    std::size_t duplicates = 0, missing = 0;
    for (const auto& content : t.succeeded) {
        const auto it = t.received.find(content);
        missing += it == t.received.end();
        duplicates += it != t.received.end() && it->second > 1;
    }
    BOOST_TEST(missing == 0u);
    BOOST_TEST(duplicates == 0u);
    BOOST_TEST(t.received.size() == t.succeeded.size());
}

BOOST_AUTO_TEST_SUITE_END()
