#pragma once
// Adaptive mode's send tokens: one `rate_limiter` per throttle scope, each an `adaptive_rate` behind a
// mutex with a FIFO queue of waiting calls. Waiting is asynchronous: a waiter is a completion handler
// resumed on its own executor; one timer per scope (on the transport's executor) grants tokens in
// arrival order as they accumulate. Nothing here blocks a thread.

#include <chime/retry.hpp>

#include "retry/adaptive_rate.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace chime::detail {

class rate_limiter : public std::enable_shared_from_this<rate_limiter> {
public:
    using clock = std::chrono::steady_clock;

    rate_limiter(boost::asio::any_io_executor timer_executor, std::string scope);

    /// Waits for a send token, in FIFO order behind the calls already waiting. Completes with an empty
    /// code and the time the token was granted (`sent_at`, for `on_response`); with
    /// `errc::send_rate_limited` at once when the expected wait exceeds `max_wait`; with
    /// `errc::deadline_exceeded` at once when it would end after `deadline`; with `errc::cancelled`
    /// when the awaiting operation is cancelled; with `errc::pool_closed` after `close`.
    boost::asio::awaitable<error_code> acquire(std::optional<clock::duration> max_wait, clock::time_point deadline,
                                               clock::time_point& sent_at);

    /// A response arrived to an attempt sent at `sent_at`.
    void on_response(clock::time_point sent_at, bool throttled);

    rate_limit_info info() const;
    void close();

    struct waiter; // internal

private:
    struct initiate_wait;
    using ready_list = std::vector<std::shared_ptr<waiter>>;

    void enqueue(std::shared_ptr<waiter> w);
    void cancel(const std::shared_ptr<waiter>& w);
    void schedule(clock::time_point now, ready_list& ready); // mutex held
    void arm(double now, double wait);            // mutex held
    void on_timer(std::uint64_t generation);
    static void complete(const std::shared_ptr<waiter>& w, error_code ec);

    mutable std::mutex mutex_;
    std::string scope_;
    adaptive_rate rate_;
    std::deque<std::shared_ptr<waiter>> queue_;
    boost::asio::steady_timer timer_;
    std::uint64_t timer_generation_ = 0;
    double timer_due_ = -1; ///< when the armed timer fires; -1 when none is armed
    std::uint64_t throttles_ = 0;
    bool closed_ = false;
};

/// The throttle scopes of one transport (or of several, when shared).
class rate_limiters {
public:
    explicit rate_limiters(boost::asio::any_io_executor timer_executor)
        : ex_(std::move(timer_executor)) {}

    std::shared_ptr<rate_limiter> get(const std::string& key);
    std::vector<rate_limit_info> info() const;
    void close();

private:
    boost::asio::any_io_executor ex_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<rate_limiter>> scopes_;
    bool closed_ = false;
};

} // namespace chime::detail
