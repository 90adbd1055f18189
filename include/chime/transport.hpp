#pragma once
/// @file
/// The request path every API call takes: credentials → SigV4 → a pooled connection → the response,
/// or one `chime::error` describing what failed.

#include <chime/auth/credentials_provider.hpp>
#include <chime/auth/sigv4.hpp>
#include <chime/http/message.hpp>
#include <chime/retry.hpp>
#include <chime/net/connection_pool.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chime {

enum class log_level { debug, info, warning, error };

/// Receives log lines. Authorization and X-Amz-Security-Token values are always redacted before a
/// line is formed; bodies are never logged here.
using log_sink = std::function<void(log_level, std::string_view)>;

/// What one call cost. Passed to `transport_options::on_metrics` once per call.
struct call_metrics {
    std::string_view operation; ///< as given to `send`
    int attempts = 1;           ///< HTTP attempts, retries included
    int throttles = 0;          ///< attempts the service throttled
    std::chrono::nanoseconds backoff{};    ///< time slept between attempts
    std::chrono::nanoseconds send_wait{};  ///< time spent waiting for adaptive mode's send tokens
    std::chrono::nanoseconds latency{};
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
    bool connection_reused = false;
    unsigned http_status = 0; ///< 0 when no response arrived
    error_code error;         ///< empty on success
};

struct transport_options {
    net::pool_options pool;
    std::string user_agent = "chime-cpp/0.1";
    log_sink logger;                                     ///< off when empty
    std::function<void(const call_metrics&)> on_metrics; ///< off when empty
    /// The signing time; empty = `system_clock::now`. For clock-skew correction and reproducible tests.
    std::function<std::chrono::system_clock::time_point()> clock;
    /// Retries (chime/retry.hpp): AWS's standard mode by default; `max_attempts = 1` turns them off.
    /// Service clients apply `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE` and the profile's keys over it.
    retry_options retry;
    /// The `amz-sdk-invocation-id` of each call; empty = a random UUID. For reproducible tests.
    std::function<std::string()> invocation_id;
};

/// Per-call settings that override the transport's, e.g. through a client's `with(call_options)`.
/// Not an aggregate on purpose (see `signing_scope`).
class call_options {
public:
    call_options() {}
    std::optional<std::chrono::milliseconds> timeout; ///< deadline over all attempts (retry_options::call_timeout)
    std::optional<int> max_attempts;                  ///< retry_options::max_attempts
    std::optional<std::chrono::milliseconds> max_send_wait; ///< retry_options::max_send_wait
    /// Whether sending the request twice is harmless. Unset: by HTTP method (GET, HEAD, PUT, DELETE
    /// are; POST is not); generated clients set it for operations with an idempotency token. A request
    /// that is not idempotent is never retried after response bytes arrived: it may have taken effect.
    std::optional<bool> idempotent;
};

/// Where a request is signed for: the SigV4 region and signing name (`chime` for every Chime API).
/// Not an aggregate on purpose: g++ 12 destroys aggregate temporaries inside a co_await expression
/// twice, and `co_await t.send(ep, req, {})` must be safe.
struct signing_scope {
    signing_scope() {}
    explicit signing_scope(std::string r, std::string s = "chime")
        : region(std::move(r))
        , service(std::move(s)) {}
    std::string region = "us-east-1";
    std::string service = "chime";
};

/// Signs and sends requests over one connection pool per endpoint.
///
/// Thread safety: `send` may be awaited concurrently from any executors (see `connection_pool`).
/// Calls in flight keep what they use alive, so destroying the transport does not invalidate them;
/// it closes the pools (see `close`). It starts no threads.
class transport {
public:
    transport(boost::asio::any_io_executor ex, std::shared_ptr<auth::credentials_provider> credentials,
              transport_options opts = {});
    ~transport();
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    /// Signs `req` and sends it to `ep` with the transport's own headers: Host (set on `req`, so that a
    /// scope key sees it), amz-sdk-invocation-id, amz-sdk-request, X-Amz-Date, x-amz-content-sha256,
    /// X-Amz-Security-Token, Authorization and User-Agent; any of these that `req` carries are dropped
    /// first. Completes, on the awaiting coroutine's
    /// executor, with the response when its status is 2xx; otherwise with the service error decoded
    /// from it (`http::service_error`), or with a transport or credentials error. Never throws.
    /// Cancellation: the awaiting operation's cancellation slot reaches the pool wait and the exchange.
    ///
    /// Retries follow `transport_options::retry` as overridden by `options`: every attempt is signed
    /// afresh over the same request (idempotency tokens unchanged) and carries `amz-sdk-invocation-id`
    /// (one per call) and `amz-sdk-request: attempt=N; max=M`. In adaptive mode each attempt first
    /// takes a send token of its throttle scope, before a connection is borrowed; connections go back
    /// to the pool before any backoff sleep. Cancellation ends a backoff sleep or a token wait at once.
    boost::asio::awaitable<result<http::response>> send(const net::endpoint& ep, http::request req,
                                                        const signing_scope& scope, std::string_view operation = {},
                                                        const call_options& options = call_options());

    /// The throttle scopes of adaptive mode seen so far, with their current send rate limits.
    std::vector<rate_limit_info> rate_limits() const;

    /// What this transport signs with and how it connects (for clients of other protocols, such as the
    /// messaging-session websocket, that must use the same credentials, clock and TLS settings).
    const std::shared_ptr<auth::credentials_provider>& credentials() const noexcept;
    const transport_options& options() const noexcept;

    /// The pool for `ep`, created on first use.
    net::connection_pool& pool(const net::endpoint& ep);

    /// Closes every pool (see `connection_pool::close`).
    void close();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

} // namespace chime
