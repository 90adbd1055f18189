#pragma once
/// @file
/// `chime::async_generator<T>`: a lazy stream of values, written as a coroutine with `co_yield` (and
/// `co_await` of `asio::awaitable`s), consumed from an `asio::awaitable`:
///
///     while (auto page = co_await pages.next()) { ... }
///
/// Design (and why not `asio::experimental::coro`: README, Pagination streams). The generator is its own coroutine
/// type. Its body runs only when the consumer asks (or, with read-ahead, to stay `read_ahead` values
/// ahead), always on the consumer's executor: it is resumed through `asio::post` to that executor, and each
/// `asio::awaitable` it awaits is `co_spawn`ed there with a cancellation slot of the generator's own.
/// Values, the end and errors reach the consumer through an ordinary Asio completion
/// `void(std::exception_ptr, std::optional<T>)`, posted to the consumer's executor, so `async_next` works
/// with `use_awaitable`, `||` and any token whose handler has an associated executor.
///
/// Contracts:
/// - One consumer; one `async_next` outstanding at a time. The consumer's executor must be an implicit or
///   explicit strand (a one-thread io_context, or a strand), as for Asio I/O objects.
/// - Cancelling a pending `async_next` (its handler's cancellation slot, e.g. `gen.next() || timer`)
///   cancels the operation the body is awaiting; the body then ends with that error.
/// - An exception from the body is delivered after the values produced before it, and again on every
///   later `async_next` (the stream stays failed). The end of the stream is an empty optional.
/// - Destroying the generator mid-stream is safe at any point: if the body is awaiting an operation, that
///   operation is cancelled and the coroutine frame is destroyed when it completes; otherwise at once. A
///   pending `async_next` of another coroutine completes with `boost::asio::error::operation_aborted`.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace chime {

template <class T>
class async_generator;

namespace detail {

/// What the generator object, its coroutine frame and its in-flight operation share. Owned jointly, so
/// that whichever of them goes last tears down (a frame or signal owned by the generator object alone would be
/// used after free when an operation outlives it).
template <class T>
struct generator_state {
    using signature = void(std::exception_ptr, std::optional<T>);

    std::coroutine_handle<> frame;             ///< null once destroyed
    std::optional<boost::asio::any_io_executor> executor; ///< the consumer's, from the first async_next
    std::deque<T> ready;                       ///< produced ahead of the consumer (at most read_ahead)
    std::exception_ptr error;                  ///< the body's exception; sticky
    std::size_t read_ahead = 0;
    bool finished = false;     ///< the body returned or threw
    bool running = false;      ///< resumed (or a resume is posted) and not suspended at a yield
    bool in_operation = false; ///< suspended in a co_spawned awaitable
    bool abandoned = false;    ///< the generator object is gone
    // Constructed and reset only: 1.81's any_completion_handler assignment is unreliable.
    std::optional<boost::asio::any_completion_handler<signature>> waiter;
    std::optional<boost::asio::any_io_executor> waiter_executor; ///< where the waiter completes
    boost::asio::cancellation_slot waiter_slot;
    boost::asio::cancellation_signal cancel; ///< bound to the operation the body awaits

    void complete_waiter(std::exception_ptr e, std::optional<T> v) {
        auto h = std::move(*waiter);
        waiter.reset();
        if (waiter_slot.is_connected())
            waiter_slot.clear();
        waiter_slot = {};
        boost::asio::post(*waiter_executor, [h = std::move(h), e = std::move(e), v = std::move(v)]() mutable {
            std::move(h)(std::move(e), std::move(v));
        });
    }

    /// Gives what is ready to a waiting consumer; then resumes the body if a value is wanted.
    void pump(const std::shared_ptr<generator_state>& self) {
        if (waiter && !ready.empty()) {
            T v = std::move(ready.front());
            ready.pop_front();
            complete_waiter(nullptr, std::move(v));
        } else if (waiter && finished) {
            complete_waiter(error, std::nullopt);
        }
        if (frame && !running && !finished && (waiter || ready.size() < read_ahead)) {
            running = true;
            boost::asio::post(*executor, [self] {
                if (self->frame && !self->abandoned)
                    self->frame.resume();
            });
        }
    }
};

/// The completion of an operation the body awaits: resumes the body, or, when the generator was
/// abandoned meanwhile, destroys its frame. Also when it is destroyed without being called (its
/// execution context shut down first).
template <class T, class U>
struct operation_completion {
    std::shared_ptr<generator_state<T>> st;
    std::optional<U>* value;
    std::exception_ptr* error;

    operation_completion(std::shared_ptr<generator_state<T>> s, std::optional<U>* v, std::exception_ptr* e)
        : st(std::move(s)), value(v), error(e) {}
    operation_completion(operation_completion&& o) noexcept
        : st(std::move(o.st)), value(o.value), error(o.error) {}
    ~operation_completion() {
        if (st)
            finish();
    }

    template <class... V>
    void operator()(std::exception_ptr e, V&&... v) {
        auto s = std::move(st);
        s->in_operation = false;
        if (s->abandoned || !s->frame)
            return destroy_frame(*s);
        *error = std::move(e);
        if constexpr (sizeof...(V) > 0)
            value->emplace(std::forward<V>(v)...);
        s->frame.resume();
    }

private:
    void finish() {
        st->in_operation = false;
        if (st->abandoned)
            destroy_frame(*st);
    }
    static void destroy_frame(generator_state<T>& s) {
        if (auto f = std::exchange(s.frame, nullptr))
            f.destroy();
    }
};

struct unit {};

} // namespace detail

template <class T>
class async_generator {
    using state = detail::generator_state<T>;

public:
    using value_type = T;

    struct promise_type {
        std::shared_ptr<state> st = std::make_shared<state>();

        async_generator get_return_object() {
            st->frame = std::coroutine_handle<promise_type>::from_promise(*this);
            return async_generator(st);
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { st->error = std::current_exception(); }

        struct yield_awaiter {
            state* st;
            bool await_ready() const noexcept { return st->ready.size() < st->read_ahead; } // keep running
            void await_suspend(std::coroutine_handle<>) const noexcept { st->running = false; }
            void await_resume() const noexcept {}
        };
        yield_awaiter yield_value(T v) {
            if (st->waiter && st->ready.empty())
                st->complete_waiter(nullptr, std::move(v));
            else
                st->ready.push_back(std::move(v));
            return {st.get()};
        }

        struct final_awaiter {
            std::shared_ptr<state> st;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<>) const noexcept {
                st->finished = true;
                st->running = false;
                st->pump(st);
            }
            void await_resume() const noexcept {}
        };
        final_awaiter final_suspend() noexcept { return {st}; }

        /// `co_await` of an `asio::awaitable<U>` in the body: run on the consumer's executor, cancellable.
        template <class U>
        struct operation_awaiter {
            std::shared_ptr<state> st;
            boost::asio::awaitable<U> op;
            std::optional<std::conditional_t<std::is_void_v<U>, detail::unit, U>> value;
            std::exception_ptr error;

            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<>) {
                using completion = detail::operation_completion<T, typename decltype(value)::value_type>;
                st->in_operation = true;
                boost::asio::co_spawn(*st->executor, std::move(op),
                                      boost::asio::bind_cancellation_slot(st->cancel.slot(),
                                                                          completion(st, &value, &error)));
            }
            U await_resume() {
                if (error)
                    std::rethrow_exception(error);
                if constexpr (!std::is_void_v<U>)
                    return std::move(*value);
            }
        };
        template <class U>
        operation_awaiter<U> await_transform(boost::asio::awaitable<U> op) {
            return {st, std::move(op), std::nullopt, nullptr};
        }
    };

    async_generator() = default;
    async_generator(async_generator&& o) noexcept
        : st_(std::move(o.st_)) {}
    async_generator& operator=(async_generator&& o) noexcept {
        if (this != &o) {
            release();
            st_ = std::move(o.st_);
        }
        return *this;
    }
    ~async_generator() { release(); }

    /// Lets the body run up to `n` values ahead of the consumer (0, the default: fully lazy). For a page
    /// stream, 1 means the next page is being fetched while the consumer works on the current one.
    void set_read_ahead(std::size_t n) { st_->read_ahead = n; }

    /// The next value; an empty optional at the end. Completion `void(std::exception_ptr,
    /// std::optional<T>)` on the handler's associated executor (which then runs the body too).
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_next(Token&& token = {}) {
        return boost::asio::async_initiate<Token, typename state::signature>(
            [](auto handler, std::shared_ptr<state> st) { start_next(std::move(handler), std::move(st)); }, token,
            st_);
    }
    boost::asio::awaitable<std::optional<T>> next() { return async_next(boost::asio::use_awaitable); }

    /// True once the stream has ended or failed and every value was taken.
    bool done() const noexcept { return !st_ || (st_->finished && st_->ready.empty()); }

private:
    explicit async_generator(std::shared_ptr<state> st)
        : st_(std::move(st)) {}

    template <class Handler>
    static void start_next(Handler handler, std::shared_ptr<state> st) {
        if (!st->executor)
            st->executor.emplace(boost::asio::get_associated_executor(handler));
        boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler, *st->executor);
        if (st->waiter) { // a second consumer: refused, the first keeps its place
            auto e = std::make_exception_ptr(boost::system::system_error(
                make_error_code(boost::asio::error::already_started), "async_generator: async_next is already pending"));
            boost::asio::post(ex, [h = std::move(handler), e]() mutable { std::move(h)(e, std::optional<T>()); });
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        st->waiter_executor.emplace(std::move(ex));
        st->waiter.emplace(std::move(handler));
        if (slot.is_connected()) {
            st->waiter_slot = slot;
            slot.assign([weak = std::weak_ptr<state>(st)](boost::asio::cancellation_type type) {
                if (auto s = weak.lock(); s && s->in_operation)
                    s->cancel.emit(type);
            });
        }
        st->pump(st);
    }

    void release() {
        if (!st_)
            return;
        auto st = std::move(st_);
        st->abandoned = true;
        if (st->waiter) // another coroutine waits on a stream that is going away
            st->complete_waiter(std::make_exception_ptr(boost::system::system_error(
                                    make_error_code(boost::asio::error::operation_aborted), "async_generator destroyed")),
                                std::nullopt);
        if (st->in_operation)
            st->cancel.emit(boost::asio::cancellation_type::terminal); // the completion destroys the frame
        else if (auto f = std::exchange(st->frame, nullptr))
            f.destroy();
    }

    std::shared_ptr<state> st_;
};

} // namespace chime
