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

#include <array>
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

/// The CUBIC client-side rate limiter of AWS's adaptive mode for one throttle scope, as a pure state
/// machine: times are seconds on any monotonic clock, passed in by the caller. Thread-compatible (the
/// owner locks). Constants: beta 0.7, C 0.4, smoothing 0.8, 0.5 s measurement buckets, minimum fill
/// rate 0.5/s, a new rate capped at twice the measured send rate.
///
/// Disabled (sending is free) until the first throttle. Changes from the SDKs' limiter, all aimed at
/// the throttles a burst of concurrent calls causes:
///  - the bucket holds the tokens of 50 ms at the current rate (at least 1), not of a whole second: a
///    scope that idled, or whose callers were all busy, must not fire a second's worth of calls at once
///    into a service whose own burst allowance is far smaller;
///  - one decrease per round: a throttle answering an attempt sent before the last decrease was
///    caused by the old rate, and is counted but does not decrease the rate again (as TCP reduces its
///    window once per loss event); the SDKs decrease once per throttled response, so a burst of
///    throttles collapses the rate to 0.5/s;
///  - a cut starts from at least the rate the service has been accepting (responses not throttled,
///    measured like the send rate), so that the throttles that follow a cut while the service's own
///    bucket is still empty do not push the limit far below what the service allows;
///  - before the first 0.5 s bucket completes, the measured rates are the responses so far over the
///    time since the first one (at least 50 ms), not zero;
///  - the measured send rate (what a cut starts from, and half the cap on a new rate) is the rate of
///    the last 32 send tokens taken when that is higher than the smoothed rate (and within the fill
///    rate). After a quiet spell the smoothed rate lags a burst of callers by a second or more: cutting
///    from it leaves CUBIC's plateau far below what the service accepts for the whole recovery (7 s at
///    500/s), and capping at twice it holds the rate down while the burst is being sent.
class adaptive_rate {
public:
    explicit adaptive_rate(double now) noexcept;

    /// Takes a send token when one is available (or the limiter is disabled) and returns 0; otherwise
    /// takes none and returns the seconds until one will be available at the current rate.
    double try_acquire(double now) noexcept;
    /// Seconds until `n` tokens will have accumulated at the current rate (0 when disabled).
    double time_until(double now, double n) noexcept;
    /// Records a response to an attempt whose send token was taken at `sent_at`.
    void on_response(double now, double sent_at, bool throttled) noexcept;

    bool enabled() const noexcept { return enabled_; }
    double fill_rate() const noexcept { return fill_rate_; } ///< tokens per second, when enabled
    double capacity() const noexcept { return max_capacity_; }
    double tokens() const noexcept { return tokens_; }
    double measured_rate() const noexcept { return measured_; }
    double accepted_rate() const noexcept { return accepted_; } ///< smoothed rate of responses not throttled
    double last_max_rate() const noexcept { return last_max_rate_; }
    /// The rate of the last 32 send tokens taken (0 until 32 have been): what is being sent right now.
    double recent_send_rate() const noexcept;

private:
    void refill(double now) noexcept;
    void set_rate(double now, double rate) noexcept;
    void measure(double now, bool success) noexcept;
    double measured(double now) const noexcept;
    double accepted(double now) const noexcept;
    void sent(double now) noexcept;

    bool enabled_ = false;
    double fill_rate_ = 0.5;
    double max_capacity_ = 1;
    double tokens_ = 0;
    double last_refill_ = -1;
    // measured send rate
    double measured_ = 0;
    double last_bucket_;
    double first_response_ = -1;
    double bucket_count_ = 0;
    double bucket_successes_ = 0;
    double accepted_ = 0;
    bool measured_once_ = false;
    // the times of the last `recent_sends` send tokens, a ring
    static constexpr std::size_t recent_sends = 32;
    std::array<double, recent_sends> sends_{};
    std::size_t send_count_ = 0;
    // CUBIC
    double last_max_rate_ = 0;
    double last_throttle_ = 0;
    double k_ = 0;
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
