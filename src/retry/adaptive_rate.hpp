#pragma once
// Adaptive mode's CUBIC rate for one throttle scope, as a pure state machine (no clock, no lock, no
// I/O): `rate_limiter` owns one per scope and drives it; the unit tests drive it directly.

#include <array>
#include <cstddef>

namespace chime::detail {

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

} // namespace chime::detail
