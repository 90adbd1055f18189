#include "retry/rate_limiter.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chime::detail {
namespace asio = boost::asio;

namespace {

double seconds(rate_limiter::clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}
double seconds(rate_limiter::clock::duration d) { return std::chrono::duration<double>(d).count(); }

} // namespace

struct rate_limiter::waiter {
    // Constructed and reset only: 1.81's any_completion_handler assignment is unreliable.
    std::optional<asio::any_completion_handler<void(error_code)>> handler;
    std::optional<asio::any_io_executor> executor; ///< where the handler completes
    asio::cancellation_slot slot;
    std::optional<rate_limiter::clock::time_point> granted_at;
    bool done = false; ///< granted, cancelled or failed: out of the queue (guarded by the limiter's mutex)
};

struct rate_limiter::initiate_wait {
    std::shared_ptr<rate_limiter> self;
    std::shared_ptr<waiter> w;

    template <class Handler>
    void operator()(Handler handler) const {
        w->executor.emplace(asio::get_associated_executor(handler, self->timer_.get_executor()));
        auto slot = asio::get_associated_cancellation_slot(handler);
        w->handler.emplace(std::move(handler));
        if (slot.is_connected()) {
            w->slot = slot;
            slot.assign([weak = std::weak_ptr<rate_limiter>(self), w = w](asio::cancellation_type) {
                if (auto s = weak.lock())
                    s->cancel(w);
            });
        }
        self->enqueue(w);
    }
};

rate_limiter::rate_limiter(asio::any_io_executor timer_executor, std::string scope)
    : scope_(std::move(scope))
    , rate_(seconds(clock::now()))
    , timer_(std::move(timer_executor)) {}

asio::awaitable<error_code> rate_limiter::acquire(std::optional<clock::duration> max_wait, clock::time_point deadline,
                                                  clock::time_point& sent_at) {
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            co_return make_error_code(errc::pool_closed);
        const auto now = clock::now();
        const double t = seconds(now);
        if (queue_.empty() && rate_.try_acquire(t) == 0) {
            sent_at = now;
            co_return error_code();
        }
        // The expected wait: behind every waiter already queued, at the current rate.
        const double expected = rate_.time_until(t, double(queue_.size() + 1));
        if (max_wait && expected > seconds(*max_wait))
            co_return make_error_code(errc::send_rate_limited);
        if (deadline != clock::time_point::max() && t + expected > seconds(deadline))
            co_return make_error_code(errc::deadline_exceeded);
    }
    auto w = std::make_shared<waiter>();
    const initiate_wait init{shared_from_this(), w};
    const auto token = asio::as_tuple(asio::use_awaitable);
    const auto [ec] = co_await asio::async_initiate<decltype(token), void(error_code)>(init, token);
    if (!ec)
        sent_at = *w->granted_at;
    co_return ec;
}

void rate_limiter::enqueue(std::shared_ptr<waiter> w) {
    ready_list ready;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            w->done = true;
            ready.push_back(w);
        } else {
            queue_.push_back(std::move(w));
            schedule(clock::now(), ready);
        }
    }
    for (auto& r : ready)
        complete(r, r->granted_at ? error_code() : make_error_code(errc::pool_closed));
}

void rate_limiter::cancel(const std::shared_ptr<waiter>& w) {
    {
        std::lock_guard lock(mutex_);
        if (w->done)
            return; // granted or failed already: that completion is on its way
        w->done = true;
        std::erase(queue_, w);
    }
    complete(w, make_error_code(errc::cancelled));
}

void rate_limiter::schedule(clock::time_point now, ready_list& ready) {
    while (!queue_.empty()) {
        const double wait = rate_.try_acquire(seconds(now));
        if (wait > 0) {
            arm(seconds(now), wait);
            return;
        }
        auto w = std::move(queue_.front());
        queue_.pop_front();
        w->done = true;
        w->granted_at = now;
        ready.push_back(std::move(w));
    }
}

void rate_limiter::arm(double now, double wait) {
    const double due = now + wait;
    if (timer_due_ >= 0 && timer_due_ <= due)
        return; // the armed timer comes first; it reschedules when it fires
    timer_due_ = due;
    const auto generation = ++timer_generation_;
    timer_.expires_after(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(wait)));
    timer_.async_wait([weak = weak_from_this(), generation](error_code) {
        if (auto self = weak.lock())
            self->on_timer(generation);
    });
}

void rate_limiter::on_timer(std::uint64_t generation) {
    ready_list ready;
    {
        std::lock_guard lock(mutex_);
        if (generation != timer_generation_ || closed_)
            return; // re-armed earlier meanwhile, or closed
        timer_due_ = -1;
        schedule(clock::now(), ready);
    }
    for (auto& r : ready)
        complete(r, {});
}

void rate_limiter::complete(const std::shared_ptr<waiter>& w, error_code ec) {
    asio::post(*w->executor, [w, ec] {
        if (w->slot.is_connected())
            w->slot.clear();
        auto h = std::move(*w->handler);
        w->handler.reset();
        std::move(h)(ec);
    });
}

void rate_limiter::on_response(clock::time_point sent_at, bool throttled) {
    ready_list ready;
    {
        std::lock_guard lock(mutex_);
        const auto now = clock::now();
        rate_.on_response(seconds(now), seconds(sent_at), throttled);
        if (throttled)
            ++throttles_;
        if (!queue_.empty() && !closed_)
            schedule(now, ready); // a higher rate may let someone go now, or sooner
    }
    for (auto& r : ready)
        complete(r, {});
}

rate_limit_info rate_limiter::info() const {
    std::lock_guard lock(mutex_);
    return {.scope = scope_,
            .enabled = rate_.enabled(),
            .fill_rate = rate_.fill_rate(),
            .measured_rate = rate_.measured_rate(),
            .waiting = queue_.size(),
            .throttles = throttles_};
}

void rate_limiter::close() {
    std::deque<std::shared_ptr<waiter>> failed;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        closed_ = true;
        failed.swap(queue_);
        for (auto& w : failed)
            w->done = true;
        ++timer_generation_;
        timer_.cancel();
    }
    for (auto& w : failed)
        complete(w, make_error_code(errc::pool_closed));
}

std::shared_ptr<rate_limiter> rate_limiters::get(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto& slot = scopes_[key];
    if (!slot) {
        slot = std::make_shared<rate_limiter>(ex_, key);
        if (closed_)
            slot->close();
    }
    return slot;
}

std::vector<rate_limit_info> rate_limiters::info() const {
    std::vector<std::shared_ptr<rate_limiter>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [_, l] : scopes_)
            all.push_back(l);
    }
    std::vector<rate_limit_info> out;
    for (const auto& l : all)
        out.push_back(l->info());
    std::ranges::sort(out, {}, &rate_limit_info::scope);
    return out;
}

void rate_limiters::close() {
    std::vector<std::shared_ptr<rate_limiter>> all;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (const auto& [_, l] : scopes_)
            all.push_back(l);
    }
    for (const auto& l : all)
        l->close();
}

} // namespace chime::detail
