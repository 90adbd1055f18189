#pragma once
/// @file
/// Retry settings and the standard-mode decisions (AWS's 2026 numbers): which failures are retried, how
/// long to wait before each retry, and the retry quota that stops a client from amplifying an outage.
///
/// Classification (status first, then the error name, as `chime::condition` groups them): HTTP 429 and
/// the throttling names are `throttling`; 500/502/503/504, connection failures and timeouts are
/// `transient`; everything else is `final` and never retried.

#include <chime/config.hpp>
#include <chime/error.hpp>
#include <chime/http/message.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace chime {

class retry_quota;

/// The key of a throttle scope in adaptive mode: calls with the same key share one rate limiter.
/// Receives the endpoint's origin (`https://host:port`), the operation name and the signed-to-be
/// request (path, query and headers such as `x-amz-chime-bearer` are readable).
using scope_key_function =
    std::function<std::string(std::string_view origin, std::string_view operation, const http::request& req)>;

struct retry_options {
    /// `standard` retries with backoff and the quota; `adaptive` adds the client-side rate limiter per
    /// throttle scope. `legacy` is accepted (AWS_RETRY_MODE, profiles) and behaves as `standard`.
    chime::retry_mode mode = chime::retry_mode::standard;
    int max_attempts = 3; ///< the first try included; 1 disables retries
    std::chrono::milliseconds transient_base{50};
    std::chrono::milliseconds throttling_base{1000};
    std::chrono::milliseconds max_backoff{20'000}; ///< applied before the jitter
    int quota_capacity = 500;                      ///< retry tokens, shared by the calls of one client
    int transient_cost = 14;
    int throttling_cost = 5;
    /// Adaptive mode's throttling retries: the scope's send-rate limiter already paces them to what the
    /// service accepts, which is what the quota guards; charging them too would let the throttles of a
    /// burst (before the limiter has measured the rate) fail calls. Set 5 for the SDKs' behaviour.
    int adaptive_throttling_cost = 0;
    int success_refund = 1; ///< returned by a success without retries
    /// `x-amz-retry-after` / `Retry-After` may lengthen a delay by at most this much.
    std::chrono::milliseconds retry_after_cap{5'000};

    /// A deadline for each call, covering every attempt, backoff and send-token wait: no attempt is
    /// started that could not finish before it, and the call ends with `errc::deadline_exceeded`.
    /// Unset: attempts are bounded only by the pool's timeouts. `call_options::timeout` overrides it.
    std::optional<std::chrono::milliseconds> call_timeout;

    /// Adaptive mode: fail fast with `errc::send_rate_limited` instead of waiting longer than this for
    /// a send token. Unset: wait (bounded by the deadline and cancellation).
    std::optional<std::chrono::milliseconds> max_send_wait;
    /// Adaptive mode: a narrower scope than the default (endpoint origin, operation), e.g. per bearer.
    scope_key_function scope_key;

    /// The retry quota; unset: one per transport. Share one between transports explicitly if wanted.
    std::shared_ptr<retry_quota> quota;
};

/// Reads `max_attempts` and `retry_mode` from a resolved configuration (AWS_MAX_ATTEMPTS,
/// AWS_RETRY_MODE, the profile's keys) into `o`; unset settings leave `o` as it was.
void apply_config(retry_options& o, const aws_config& cfg);

enum class retry_class { throttling, transient, final };

retry_class classify(const error& e) noexcept;

/// Full jitter: `random01 * min(base * 2^retry_index, max_backoff)`; `random01` in [0, 1).
std::chrono::milliseconds backoff(const retry_options& o, retry_class c, int retry_index, double random01) noexcept;

/// The server's hint, if any: `x-amz-retry-after` (milliseconds), else `Retry-After` (seconds, or an
/// HTTP-date relative to `now`). Negative or unparseable values are no hint.
std::optional<std::chrono::milliseconds> retry_after_hint(const http::response& r,
                                                          std::chrono::system_clock::time_point now);

/// The delay with the hint honoured: `max(t, min(hint, t + cap))`.
std::chrono::milliseconds with_hint(std::chrono::milliseconds t, std::optional<std::chrono::milliseconds> hint,
                                    std::chrono::milliseconds cap) noexcept;

/// The retry quota (token bucket without refill): retries take tokens, successes give some back, and an
/// empty quota makes failures final at once. Thread-safe.
class retry_quota {
public:
    explicit retry_quota(int capacity = 500)
        : capacity_(capacity)
        , tokens_(capacity) {}
    bool try_acquire(int cost);
    void release(int amount);
    int available() const;

private:
    mutable std::mutex mutex_;
    int capacity_;
    int tokens_;
};

/// One logical call's retry decisions, without I/O or clocks: the caller reports each attempt's outcome
/// and sleeps for what `after_failure` returns.
class retry_state {
public:
    retry_state(const retry_options& o, retry_quota& quota)
        : opts_(o)
        , quota_(quota) {}

    /// After attempt `attempts()` failed with `e`: the delay before the next attempt, or nullopt when the
    /// error is final, the attempts are used up or the quota is empty.
    std::optional<std::chrono::milliseconds> after_failure(const error& e, std::optional<std::chrono::milliseconds> hint,
                                                           double random01);
    /// The call succeeded: refund the quota.
    void after_success();

    int attempts() const noexcept { return attempts_; }
    int throttles() const noexcept { return throttles_; }
    /// Why the last `after_failure` gave up: "final error", "attempts used up" or "retry quota empty".
    const char* stop_reason() const noexcept { return stop_reason_; }

private:
    const retry_options& opts_;
    retry_quota& quota_;
    int attempts_ = 1;
    int throttles_ = 0;
    int last_cost_ = 0;
    const char* stop_reason_ = "";
};

/// What a throttle scope's limiter is doing, for observability (`transport::rate_limits`).
struct rate_limit_info {
    std::string scope;        ///< the scope key
    bool enabled = false;     ///< false until the scope's first throttle
    double fill_rate = 0;     ///< the current send rate limit, tokens per second
    double measured_rate = 0; ///< the smoothed measured send rate
    std::size_t waiting = 0;  ///< calls waiting for a send token
    std::uint64_t throttles = 0;
};

} // namespace chime
