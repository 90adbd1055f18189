// Adaptive mode's send tokens, asynchronously: FIFO order among waiters, cancellation of a wait,
// fast fail, deadlines, shutdown, and scopes that do not slow each other. No sockets; the waits are
// a few hundred milliseconds at most, at about 154 tokens/s.

#include "retry/rate_limiter.hpp"

#include "support/test_support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace chime;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using limiter_ptr = std::shared_ptr<detail::rate_limiter>;
using steady = std::chrono::steady_clock;

namespace {

// Enables the limiter at about 154 tokens/s: 10 responses and a throttle at once, read as 11 responses in
// the 50 ms minimum window (220/s), times beta.
void throttle(detail::rate_limiter& l) {
    const auto now = steady::now();
    for (int i = 0; i < 10; ++i)
        l.on_response(now, false);
    l.on_response(now, true);
}

asio::awaitable<void> take(limiter_ptr l, int id, std::vector<int>* granted, std::vector<error_code>* results) {
    steady::time_point sent_at;
    const error_code ec = co_await l->acquire(std::nullopt, steady::time_point::max(), sent_at);
    results->at(id) = ec;
    if (!ec)
        granted->push_back(id);
}

} // namespace

BOOST_AUTO_TEST_SUITE(adaptive_send_tokens)

BOOST_AUTO_TEST_CASE(waiters_are_served_in_arrival_order) {
    asio::io_context ioc;
    auto l = std::make_shared<detail::rate_limiter>(ioc.get_executor(), "scope");
    throttle(*l);
    BOOST_TEST(l->info().enabled);
    BOOST_TEST(l->info().fill_rate == 154.0, boost::test_tools::tolerance(0.05));
    std::vector<int> granted;
    std::vector<error_code> results(30);
    for (int i = 0; i < 30; ++i)
        asio::co_spawn(ioc, take(l, i, &granted, &results), asio::detached);
    ioc.run_for(20ms); // some granted, the rest still queued, in order
    BOOST_TEST(granted.size() < 30u);
    BOOST_TEST(l->info().waiting > 0u);
    BOOST_TEST(l->info().waiting <= 30u - granted.size()); // (a grant may be on its way)
    ioc.run();
    BOOST_REQUIRE_EQUAL(granted.size(), 30u);
    for (int i = 0; i < 30; ++i)
        BOOST_TEST(granted[i] == i);
}

BOOST_AUTO_TEST_CASE(a_cancelled_wait_ends_at_once_and_leaves_the_queue) {
    asio::io_context ioc;
    auto l = std::make_shared<detail::rate_limiter>(ioc.get_executor(), "scope");
    throttle(*l);
    std::vector<int> granted;
    std::vector<error_code> results(10);
    asio::cancellation_signal cancel_5;
    for (int i = 0; i < 10; ++i) {
        if (i == 5)
            asio::co_spawn(ioc, take(l, i, &granted, &results), asio::bind_cancellation_slot(cancel_5.slot(), asio::detached));
        else
            asio::co_spawn(ioc, take(l, i, &granted, &results), asio::detached);
    }
    ioc.poll(); // all ten are queued (none can be granted yet: no tokens right after the throttle)
    BOOST_REQUIRE(granted.empty());
    cancel_5.emit(asio::cancellation_type::terminal);
    ioc.poll();
    BOOST_TEST((results[5] == errc::cancelled));
    BOOST_TEST(granted.empty()); // nobody else moved
    BOOST_TEST(l->info().waiting == 9u);
    ioc.run();
    const std::vector<int> expected{0, 1, 2, 3, 4, 6, 7, 8, 9};
    BOOST_TEST(granted == expected, boost::test_tools::per_element());
}

asio::awaitable<error_code> take_bounded(limiter_ptr l, std::optional<steady::duration> max_wait, steady::time_point deadline) {
    steady::time_point sent_at;
    co_return co_await l->acquire(max_wait, deadline, sent_at);
}

BOOST_AUTO_TEST_CASE(fast_fail_and_deadlines_answer_at_once) {
    asio::io_context ioc;
    auto l = std::make_shared<detail::rate_limiter>(ioc.get_executor(), "scope");
    throttle(*l);
    std::vector<int> granted;
    std::vector<error_code> results(50);
    for (int i = 0; i < 50; ++i) // about 330 ms of queue
        asio::co_spawn(ioc, take(l, i, &granted, &results), asio::detached);
    ioc.poll();
    const auto t0 = steady::now();
    auto fast = asio::co_spawn(ioc, take_bounded(l, 10ms, steady::time_point::max()), asio::use_future);
    auto late = asio::co_spawn(ioc, take_bounded(l, std::nullopt, steady::now() + 10ms), asio::use_future);
    auto fine = asio::co_spawn(ioc, take_bounded(l, 10s, steady::now() + 10s), asio::use_future);
    ioc.poll();
    BOOST_REQUIRE((fast.wait_for(0s) == std::future_status::ready));
    BOOST_REQUIRE((late.wait_for(0s) == std::future_status::ready));
    const error_code fast_ec = fast.get();
    BOOST_TEST((fast_ec == errc::send_rate_limited));
    BOOST_TEST((fast_ec == condition::throttled)); // reported as throttling...
    BOOST_TEST((classify(error(fast_ec, "x")) == retry_class::final)); // ...that no retry would help
    BOOST_TEST((late.get() == errc::deadline_exceeded));
    BOOST_TEST(((steady::now() - t0) < 10ms)); // neither waited
    ioc.run();
    BOOST_TEST(!fine.get()); // queued behind the fifty, then granted
    BOOST_TEST(granted.size() == 50u);
}

BOOST_AUTO_TEST_CASE(closing_fails_the_waiters) {
    asio::io_context ioc;
    auto l = std::make_shared<detail::rate_limiter>(ioc.get_executor(), "scope");
    throttle(*l);
    std::vector<int> granted;
    std::vector<error_code> results(5);
    for (int i = 0; i < 5; ++i)
        asio::co_spawn(ioc, take(l, i, &granted, &results), asio::detached);
    ioc.poll();
    l->close();
    ioc.run();
    for (const auto& ec : results)
        BOOST_TEST((ec == errc::pool_closed));
    steady::time_point sent_at;
    auto after = asio::co_spawn(ioc, l->acquire(std::nullopt, steady::time_point::max(), sent_at), asio::use_future);
    ioc.restart();
    ioc.run();
    BOOST_TEST((after.get() == errc::pool_closed));
}

BOOST_AUTO_TEST_CASE(a_throttled_scope_does_not_slow_another) {
    asio::io_context ioc;
    detail::rate_limiters scopes(ioc.get_executor());
    auto send = scopes.get("https://h SendChannelMessage");
    auto list = scopes.get("https://h ListChannels");
    BOOST_TEST(scopes.get("https://h SendChannelMessage") == send); // one limiter per key
    throttle(*send);
    std::vector<int> granted;
    std::vector<error_code> results(100);
    for (int i = 0; i < 100; ++i)
        asio::co_spawn(ioc, take(list, i, &granted, &results), asio::detached);
    ioc.poll(); // no timer needed: every token is granted at once
    BOOST_TEST(granted.size() == 100u);
    const auto info = scopes.info();
    BOOST_REQUIRE_EQUAL(info.size(), 2u);
    BOOST_TEST(info[0].scope == "https://h ListChannels");
    BOOST_TEST(!info[0].enabled);
    BOOST_TEST(info[1].enabled);
    BOOST_TEST(info[1].throttles == 1u);
}

asio::awaitable<void> take_and_answer(limiter_ptr l, std::atomic<int>* granted, std::atomic<int>* failed) {
    for (int i = 0; i < 3; ++i) {
        steady::time_point sent_at;
        const error_code ec = co_await l->acquire(std::nullopt, steady::time_point::max(), sent_at);
        if (ec) {
            ++*failed;
            co_return;
        }
        ++*granted;
        l->on_response(sent_at, i == 1); // responses (some throttled) from every thread
    }
}

BOOST_AUTO_TEST_CASE(many_threads_share_a_scope) {
    // Callers on four threads, each on its own strand, and the limiter's timer on the io_context: the
    // queue, the timer and the rate are shared (ThreadSanitizer runs this suite).
    asio::io_context ioc(4);
    auto l = std::make_shared<detail::rate_limiter>(ioc.get_executor(), "scope");
    throttle(*l);
    std::atomic<int> granted{0}, failed{0};
    for (int i = 0; i < 40; ++i)
        asio::co_spawn(asio::make_strand(ioc), take_and_answer(l, &granted, &failed), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] { ioc.run(); });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(granted.load() == 120);
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(l->info().waiting == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
