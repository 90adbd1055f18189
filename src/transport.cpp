#include <chime/transport.hpp>

#include "retry/rate_limiter.hpp"
#include "util/uuid.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/container/small_vector.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <random>
#include <span>

namespace chime {
namespace asio = boost::asio;

namespace {

bool is_secret_header(std::string_view name) {
    return http::iequals(name, "authorization") || http::iequals(name, "x-amz-security-token");
}

std::string describe_request(const net::endpoint& ep, const http::request& req,
                             std::span<const http::header_view> extra) {
    std::string s = "> " + req.method + " " + ep.origin() + req.path;
    if (!req.query.empty())
        s.append("?").append(req.query);
    const auto line = [&s](std::string_view name, std::string_view value) {
        s.append("\n> ").append(name).append(": ").append(is_secret_header(name) ? "<redacted>" : value);
    };
    for (const auto& h : req.headers)
        line(h.name, h.value);
    for (const auto& h : extra)
        line(h.name, h.value);
    s.append("\n> (").append(std::to_string(req.body.size())).append(" body bytes)");
    return s;
}

std::string describe_response(const http::response& r) {
    std::string s = "< HTTP " + std::to_string(r.status);
    for (const auto& h : r.headers)
        s.append("\n< ").append(h.name).append(": ").append(h.value);
    s.append("\n< (").append(std::to_string(r.body.size())).append(" body bytes)");
    return s;
}

} // namespace

struct transport::impl {
    asio::any_io_executor ex;
    std::shared_ptr<auth::credentials_provider> credentials;
    transport_options opts;
    auth::signer signer;
    std::mutex mutex;
    std::vector<std::pair<std::string, std::unique_ptr<net::connection_pool>>> pools;

    net::connection_pool& pool_for(const net::endpoint& ep) {
        std::lock_guard lock(mutex);
        for (auto& [key, p] : pools) // a handful of endpoints at most: a scan beats building a key
            if (p->target() == ep)
                return *p;
        pools.emplace_back(ep.origin(), std::make_unique<net::connection_pool>(ex, ep, opts.pool));
        return *pools.back().second;
    }

    std::unique_ptr<retry_quota> quota;
    std::shared_ptr<detail::rate_limiters> limiters;
    std::mutex random_mutex;
    std::mt19937_64 random{std::random_device{}()};

    double random01() {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    }

    void log(log_level level, const std::string& line) const {
        if (opts.logger)
            opts.logger(level, line);
    }
};

transport::transport(asio::any_io_executor ex, std::shared_ptr<auth::credentials_provider> credentials,
                     transport_options opts)
    : impl_(std::make_shared<impl>()) {
    if (!credentials)
        throw exception(errc::no_credentials, "transport: no credentials provider given");
    impl_->ex = std::move(ex);
    impl_->credentials = std::move(credentials);
    impl_->opts = std::move(opts);
    impl_->quota = std::make_unique<retry_quota>(impl_->opts.retry.quota_capacity);
    impl_->limiters = std::make_shared<detail::rate_limiters>(impl_->ex);
}

transport::~transport() {
    close();
}

net::connection_pool& transport::pool(const net::endpoint& ep) { return impl_->pool_for(ep); }

void transport::close() {
    impl_->limiters->close();
    std::lock_guard lock(impl_->mutex);
    for (auto& [_, p] : impl_->pools)
        p->close();
}

std::vector<rate_limit_info> transport::rate_limits() const { return impl_->limiters->info(); }

const std::shared_ptr<auth::credentials_provider>& transport::credentials() const noexcept { return impl_->credentials; }

const transport_options& transport::options() const noexcept { return impl_->opts; }

namespace {

using steady = std::chrono::steady_clock;

template <class T>
asio::awaitable<T> race_deadline(asio::awaitable<T> op, steady::time_point deadline, T (*late)()) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    auto r = co_await (std::move(op) || timer.async_wait(asio::use_awaitable));
    if (r.index() == 0)
        co_return std::move(std::get<0>(r));
    co_return late();
}

// `op`, bounded by the call's deadline when it has one: at the deadline it is cancelled and the
// result is `late()`. Without a deadline, `op` itself (no coroutine frame in between).
template <class T>
asio::awaitable<T> until(asio::awaitable<T> op, steady::time_point deadline, T (*late)()) {
    if (deadline == steady::time_point::max())
        return op;
    return race_deadline(std::move(op), deadline, late);
}

result<http::response> attempt_past_deadline() {
    return error(make_error_code(errc::deadline_exceeded), "the call's deadline passed during the attempt");
}
error_code wait_past_deadline() { return make_error_code(errc::deadline_exceeded); }

// The invocation id: unique per call, not a secret, so a per-thread PRNG rather than OpenSSL's.
void random_uuid(char (&out)[36]) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    unsigned char b[16];
    const std::uint64_t words[2] = {random(), random()};
    std::memcpy(b, words, sizeof b);
    detail::format_uuid_v4(b, out);
}

// The headers each attempt gets from the transport; any the request carries are dropped first.
bool is_transport_header(std::string_view name) {
    static constexpr std::string_view names[] = {"amz-sdk-invocation-id", "amz-sdk-request", "x-amz-date",
                                                 "x-amz-content-sha256",  "x-amz-security-token", "authorization",
                                                 "user-agent"};
    return std::any_of(std::begin(names), std::end(names), [&](std::string_view n) { return http::iequals(name, n); });
}

// "attempt=N; max=M" into `out`.
std::string_view attempt_text(std::span<char, 48> out, int attempt, int max) {
    constexpr std::string_view a = "attempt=", m = "; max=";
    char* p = std::copy(a.begin(), a.end(), out.data());
    p = std::to_chars(p, out.data() + out.size(), attempt).ptr;
    p = std::copy(m.begin(), m.end(), p);
    p = std::to_chars(p, out.data() + out.size(), max).ptr;
    return {out.data(), static_cast<std::size_t>(p - out.data())};
}

std::string ms_text(steady::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

} // namespace

asio::awaitable<result<http::response>> transport::send(const net::endpoint& ep, http::request req,
                                                        const signing_scope& scope, std::string_view operation,
                                                        const call_options& options) {
    const std::shared_ptr<impl> keep = impl_; // the transport may be destroyed while this call runs
    impl& self = *keep;
    retry_options ro_local;
    const retry_options* ro = &self.opts.retry;
    if (options.max_attempts || options.timeout || options.max_send_wait) {
        ro_local = self.opts.retry;
        if (options.max_attempts)
            ro_local.max_attempts = std::max(1, *options.max_attempts);
        if (options.timeout)
            ro_local.call_timeout = options.timeout;
        if (options.max_send_wait)
            ro_local.max_send_wait = options.max_send_wait;
        ro = &ro_local;
    }
    // The clock is read only where a deadline or the metrics callback needs it.
    const bool timed = ro->call_timeout || self.opts.on_metrics;
    const auto start = timed ? steady::now() : steady::time_point{};
    const bool has_deadline = ro->call_timeout.has_value();
    const steady::time_point deadline = has_deadline ? start + *ro->call_timeout : steady::time_point::max();
    call_metrics metrics{.operation = operation};
    retry_state retries(*ro, ro->quota ? *ro->quota : *self.quota);
    steady::duration slept{};
    // Says how hard we tried, in the diagnostics of the error that ends the call.
    auto finish = [&](result<http::response> r, const char* stop = nullptr) {
        if (!r && r.error().diag && (retries.attempts() > 1 || stop || retries.throttles() > 0)) {
            diagnostics d = *r.error().diag;
            d.attempts = retries.attempts();
            d.throttles = retries.throttles();
            d.waited = std::chrono::duration_cast<std::chrono::milliseconds>(slept + metrics.send_wait);
            d.message += " (after " + std::to_string(retries.attempts()) +
                         (retries.attempts() == 1 ? " attempt; " : " attempts; ") + (stop ? stop : retries.stop_reason());
            if (retries.throttles() > 0)
                d.message += "; " + std::to_string(retries.throttles()) + " throttled";
            if (d.waited.count() > 0)
                d.message += "; waited " + std::to_string(d.waited.count()) + " ms";
            d.message += ")";
            r = error(r.error().code, std::move(d));
        }
        if (self.opts.on_metrics) {
            metrics.latency = steady::now() - start;
            metrics.attempts = retries.attempts();
            metrics.throttles = retries.throttles();
            metrics.backoff = slept;
            if (!r)
                metrics.error = r.error().code;
            self.opts.on_metrics(metrics);
        }
        return r;
    };

    auth::credentials_ptr creds = self.credentials->try_get(); // cached: no coroutine needed
    if (!creds) {
        try {
            creds = co_await self.credentials->get();
        } catch (const exception& e) {
            co_return finish(e.error());
        }
    }

    std::erase_if(req.headers, [](const http::header& h) { return is_transport_header(h.name); });
    req.set_header("Host", ep.host_header());
    if (!req.body.empty() && req.header_value("Content-Type").empty())
        req.set_header("Content-Type", "application/json");
    char random_id[36];
    std::string chosen_id;
    std::string_view invocation_id;
    if (self.opts.invocation_id) {
        chosen_id = self.opts.invocation_id();
        invocation_id = chosen_id;
    } else {
        random_uuid(random_id);
        invocation_id = std::string_view(random_id, sizeof random_id);
    }
    const std::string body_hash = auth::payload_hash(req.body);

    std::shared_ptr<detail::rate_limiter> limiter;
    if (ro->mode == retry_mode::adaptive) {
        const std::string origin = ep.origin();
        limiter = self.limiters->get(ro->scope_key ? ro->scope_key(origin, operation, req)
                                                   : origin + " " + std::string(operation));
    }
    const bool idempotent = options.idempotent.value_or(req.method == "GET" || req.method == "HEAD" ||
                                                        req.method == "PUT" || req.method == "DELETE");

    for (;;) {
        // Adaptive mode: a send token first, so that a throttled caller holds no connection.
        steady::time_point sent_at{};
        if (limiter) {
            const auto waited_from = steady::now();
            const std::optional<steady::duration> max_wait = ro->max_send_wait;
            const error_code ec = co_await until(limiter->acquire(max_wait, deadline, sent_at), deadline, &wait_past_deadline);
            metrics.send_wait += steady::now() - waited_from;
            if (ec == errc::send_rate_limited)
                co_return finish(error(ec, std::string(operation) + ": the send rate limit of its throttle scope would keep it waiting over " +
                                               ms_text(*ro->max_send_wait)), "fast fail");
            if (ec == errc::deadline_exceeded)
                co_return finish(error(ec, std::string(operation) + ": no send token within the call's deadline of " +
                                               ms_text(deadline - start)), "deadline");
            if (ec)
                co_return finish(error(ec, std::string(operation) + ": " +
                                               (ec == errc::cancelled ? "cancelled while waiting for a send token"
                                                                      : "the transport was closed while waiting for a send token")), "stopped");
        }

        // Each attempt is signed afresh (a new X-Amz-Date) over the same request: idempotency tokens and
        // the body stay what they were. The attempt's own headers are views handed to the exchange
        // beside `req`, so no attempt copies the request or allocates its headers.
        char attempt_buffer[48];
        std::array<http::header_view, 8> extra;
        std::size_t extras = 0;
        extra[extras++] = {"amz-sdk-invocation-id", invocation_id};
        extra[extras++] = {"amz-sdk-request", attempt_text(attempt_buffer, retries.attempts(), ro->max_attempts)};
        boost::container::small_vector<auth::header_field, 16> fields;
        for (const auto& h : req.headers)
            fields.push_back({h.name, h.value});
        for (std::size_t i = 0; i < extras; ++i)
            fields.push_back({extra[i].name, extra[i].value});
        auth::header_signature sig;
        try {
            const auth::signing_params params{.region = scope.region,
                                              .service = scope.service,
                                              .time = self.opts.clock ? self.opts.clock() : std::chrono::system_clock::now(),
                                              .add_content_sha256 = true};
            sig = self.signer.sign({.method = req.method,
                                    .path = req.path,
                                    .query = req.query,
                                    .headers = fields,
                                    .payload_hash = body_hash},
                                   *creds, params);
        } catch (const std::invalid_argument& e) {
            co_return finish(error(make_error_code(errc::invalid_request), e.what()));
        }
        extra[extras++] = {"X-Amz-Date", sig.amz_date};
        extra[extras++] = {"x-amz-content-sha256", sig.content_sha256};
        if (!creds->session_token.empty())
            extra[extras++] = {"X-Amz-Security-Token", creds->session_token};
        extra[extras++] = {"Authorization", sig.authorization};
        extra[extras++] = {"User-Agent", self.opts.user_agent};
        const std::span<const http::header_view> attempt_headers(extra.data(), extras);
        if (self.opts.logger)
            self.log(log_level::debug, describe_request(ep, req, attempt_headers));

        net::exchange_info info;
        const auto attempt_start = has_deadline ? steady::now() : steady::time_point{};
        // until() returns once the exchange has finished (or was cancelled): the views outlive it.
        auto r = co_await until(self.pool_for(ep).exchange(req, attempt_headers, &info), deadline,
                                &attempt_past_deadline);
        const auto attempt_time = has_deadline ? steady::now() - attempt_start : steady::duration{};
        metrics.bytes_sent += info.bytes_sent;
        metrics.bytes_received += info.bytes_received;
        metrics.connection_reused = info.reused_connection;
        std::optional<std::chrono::milliseconds> hint;
        error failure;
        if (!r) {
            self.log(log_level::warning, "! " + r.error().message());
            failure = r.error();
        } else {
            metrics.http_status = r->status;
            if (self.opts.logger)
                self.log(log_level::debug, describe_response(*r));
            if (r->status >= 200 && r->status <= 299) {
                if (limiter)
                    limiter->on_response(sent_at, false);
                retries.after_success();
                co_return finish(std::move(r));
            }
            failure = http::service_error(*r);
            if (limiter)
                limiter->on_response(sent_at, failure.code == condition::throttled);
            hint = retry_after_hint(*r, std::chrono::system_clock::now());
        }
        if (failure.code == errc::deadline_exceeded)
            co_return finish(std::move(failure), "deadline");
        if (!r && !idempotent && info.response_started)
            co_return finish(std::move(failure), "not retried: response bytes had arrived, so the request may have "
                                                 "taken effect, and it is not idempotent");
        const auto delay = retries.after_failure(failure, hint, self.random01());
        if (!delay)
            co_return finish(std::move(failure));
        // No retry that could not finish before the deadline: the sleep plus an attempt as long as this one.
        if (has_deadline && steady::now() + *delay + attempt_time > deadline)
            co_return finish(std::move(failure), "no retry fits before the deadline");
        self.log(log_level::info, "retrying " + std::string(operation) + " in " + std::to_string(delay->count()) +
                                      " ms: " + failure.message());
        asio::steady_timer wait(co_await asio::this_coro::executor, *delay);
        const auto slept_from = steady::now();
        auto [ec] = co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        slept += steady::now() - slept_from;
        if (ec)
            co_return finish(error(make_error_code(errc::cancelled), "cancelled while waiting to retry " +
                                                                         std::string(operation) + " after: " +
                                                                         failure.message()), "cancelled");
    }
}

} // namespace chime
