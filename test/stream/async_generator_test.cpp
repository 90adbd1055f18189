// chime::async_generator on its own: order and end, laziness and read-ahead, exceptions, cancellation
// through the awaiting operation's slot, abandoning at every kind of suspension point, and the executor
// the body runs on. No sockets; timers stand in for I/O.

#include "support/test_support.hpp"

#include <chime/async_generator.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using chime::async_generator;
using chime::test::run;

namespace {

asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<void> turn() { co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); }

// Counts how far the body got: `started` before each value's work, `produced` after it.
struct progress {
    int started = 0;
    int produced = 0;
    int frames_destroyed = 0;
};

struct frame_witness { // lives in the body's frame: proves the frame is destroyed
    progress* p;
    ~frame_witness() { ++p->frames_destroyed; }
};

async_generator<int> counting(int n, progress& p, std::chrono::milliseconds work = 0ms) {
    frame_witness w{&p};
    for (int i = 0; i < n; ++i) {
        ++p.started;
        if (work > 0ms)
            co_await pause(work);
        else
            co_await turn();
        ++p.produced;
        co_yield i;
    }
}

async_generator<int> slow_after_first(progress& p) {
    frame_witness w{&p};
    ++p.started;
    co_await turn();
    co_yield 0;
    ++p.started;
    co_await pause(30s);
    co_yield 1;
}

async_generator<int> failing_after(int n) {
    for (int i = 0; i < n; ++i) {
        co_await turn();
        co_yield i;
    }
    throw std::runtime_error("page 3 failed");
}

async_generator<int> on_strand(asio::strand<asio::any_io_executor> strand, int n, int& off_strand) {
    for (int i = 0; i < n; ++i) {
        off_strand += strand.running_in_this_thread() ? 0 : 1;
        co_await pause(1ms);
        off_strand += strand.running_in_this_thread() ? 0 : 1;
        co_yield i;
    }
}

// Counts the values and checks each arrives on the strand; BOOST_TEST is not thread-safe, so the checks
// are counted here and asserted on the test's thread.
asio::awaitable<int> consume_on_strand(asio::strand<asio::any_io_executor> strand, int& off_strand) {
    auto g = on_strand(strand, 20, off_strand);
    g.set_read_ahead(1);
    int n = 0;
    while (auto v = co_await g.next()) {
        off_strand += strand.running_in_this_thread() ? 0 : 1;
        ++n;
    }
    co_return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(async_generator_tests)

BOOST_AUTO_TEST_CASE(values_in_order_then_an_empty_optional_every_time) {
    progress p;
    run([&]() -> asio::awaitable<void> {
        auto g = counting(5, p);
        BOOST_TEST(p.started == 0); // lazy: nothing runs before the first next()
        std::vector<int> got;
        while (auto v = co_await g.next())
            got.push_back(*v);
        BOOST_TEST(got == (std::vector<int>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
        BOOST_TEST(!(co_await g.next()));
        BOOST_TEST(g.done());
    }());
    BOOST_TEST(p.frames_destroyed == 1);
}

BOOST_AUTO_TEST_CASE(without_read_ahead_the_body_waits_for_the_consumer) {
    progress p;
    run([&]() -> asio::awaitable<void> {
        auto g = counting(3, p);
        const auto first = co_await g.next();
        BOOST_TEST(*first == 0);
        for (int i = 0; i < 5; ++i)
            co_await turn();
        BOOST_TEST(p.started == 1); // the consumer has not asked for the second value
    }());
}

BOOST_AUTO_TEST_CASE(read_ahead_works_on_the_next_value_while_the_consumer_holds_this_one) {
    progress p;
    run([&]() -> asio::awaitable<void> {
        auto g = counting(4, p);
        g.set_read_ahead(1);
        const auto first = co_await g.next();
        BOOST_TEST(*first == 0);
        BOOST_TEST(p.started == 2); // the second value's work began before the consumer got the first
        for (int i = 0; i < 5; ++i)
            co_await turn();
        BOOST_TEST(p.produced == 2); // and is done, held for the consumer: no further than one ahead
        BOOST_TEST(p.started == 2);
        std::vector<int> rest;
        while (auto v = co_await g.next())
            rest.push_back(*v);
        BOOST_TEST(rest == (std::vector<int>{1, 2, 3}), boost::test_tools::per_element());
    }());
}

BOOST_AUTO_TEST_CASE(an_exception_follows_the_values_before_it_and_stays) {
    run([&]() -> asio::awaitable<void> {
        auto g = failing_after(2);
        g.set_read_ahead(1); // the failure is known early; it is still delivered after the values
        BOOST_TEST(*(co_await g.next()) == 0);
        BOOST_TEST(*(co_await g.next()) == 1);
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool threw = false;
            try {
                co_await g.next();
            } catch (const std::runtime_error& e) {
                threw = std::string(e.what()) == "page 3 failed";
            }
            BOOST_TEST(threw);
        }
    }());
}

BOOST_AUTO_TEST_CASE(cancelling_the_awaiting_operation_cancels_the_body) {
    progress p;
    const auto start = std::chrono::steady_clock::now();
    run([&]() -> asio::awaitable<void> {
        auto g = counting(3, p, 30s); // each value takes 30 s of "I/O"
        const auto r = co_await (g.next() || pause(20ms));
        BOOST_TEST(r.index() == 1u); // the timer won
        bool aborted = false;
        try {
            co_await g.next();
        } catch (const boost::system::system_error& e) {
            aborted = e.code() == asio::error::operation_aborted;
        }
        BOOST_TEST(aborted); // the stream ended with the cancellation, and stays ended
    }());
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s)); // bounded: nothing waited for the 30 s
    BOOST_TEST(p.produced == 0);
    BOOST_TEST(p.frames_destroyed == 1);
}

BOOST_AUTO_TEST_CASE(abandoned_while_the_body_awaits_an_operation) {
    progress p;
    const auto start = std::chrono::steady_clock::now();
    run([&]() -> asio::awaitable<void> {
        {
            auto g = slow_after_first(p);
            g.set_read_ahead(1);
            BOOST_TEST(*(co_await g.next()) == 0);
            co_await turn();
            BOOST_TEST(p.started == 2); // reading ahead: inside its 30 s operation
        } // destroyed mid-operation: the operation is cancelled and the frame goes when it completes
        BOOST_TEST(p.frames_destroyed == 0);
        co_await pause(5ms);
    }());
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
    BOOST_TEST(p.frames_destroyed == 1);
}

BOOST_AUTO_TEST_CASE(abandoned_with_a_value_held_and_with_a_resume_posted) {
    progress p;
    run([&]() -> asio::awaitable<void> {
        {
            auto g = counting(10, p);
            g.set_read_ahead(1);
            BOOST_TEST(*(co_await g.next()) == 0);
            for (int i = 0; i < 5; ++i)
                co_await turn(); // the body holds value 1, suspended at its co_yield
        }
        BOOST_TEST(p.frames_destroyed == 1);
        {
            auto g = counting(10, p);
            BOOST_TEST(*(co_await g.next()) == 0);
            // A next() whose resume is posted, then the stream dropped before that resume runs.
            auto ex = co_await asio::this_coro::executor;
            g.async_next(asio::bind_executor(ex, [&p](std::exception_ptr e, std::optional<int> v) {
                // Completed by the stream's destruction, not by a value.
                p.produced += 100 * (e != nullptr && !v);
            }));
        }
        co_await turn();
        co_await turn();
    }());
    BOOST_TEST(p.frames_destroyed == 2);
    BOOST_TEST(p.produced >= 100);
}

BOOST_AUTO_TEST_CASE(a_second_pending_next_is_refused) {
    progress p;
    run([&]() -> asio::awaitable<void> {
        auto g = counting(2, p, 5ms);
        auto ex = co_await asio::this_coro::executor;
        bool refused = false;
        asio::co_spawn(ex, g.next(), [](std::exception_ptr, std::optional<int>) {});
        co_await turn();
        try {
            co_await g.next();
        } catch (const boost::system::system_error& e) {
            refused = e.code() == asio::error::already_started;
        }
        BOOST_TEST(refused);
        co_await pause(20ms);
    }());
}

BOOST_AUTO_TEST_CASE(the_body_runs_on_the_consumers_strand_of_a_thread_pool) {
    asio::thread_pool pool(4);
    auto strand = asio::make_strand(asio::any_io_executor(pool.get_executor()));
    int off_strand = 0;
    // A free function, not a lambda: the coroutine outlives this full expression, a lambda's captures do not.
    auto done = asio::co_spawn(strand, consume_on_strand(strand, off_strand), asio::use_future);
    BOOST_TEST(done.get() == 20);
    pool.join();
    BOOST_TEST(off_strand == 0);
}

BOOST_AUTO_TEST_SUITE_END()
