#include "retry/adaptive_rate.hpp"

#include <algorithm>
#include <cmath>

namespace chime::detail {

namespace {
constexpr double beta = 0.7;
constexpr double scale_c = 0.4;
constexpr double smoothing = 0.8;
constexpr double bucket_seconds = 0.5;
constexpr double min_fill_rate = 0.5;
constexpr double min_capacity = 1;
constexpr double burst_seconds = 0.05;
} // namespace

adaptive_rate::adaptive_rate(double now) noexcept
    : last_bucket_(std::floor(now / bucket_seconds) * bucket_seconds) {}

void adaptive_rate::refill(double now) noexcept {
    if (last_refill_ >= 0 && now > last_refill_)
        tokens_ = std::min(max_capacity_, tokens_ + (now - last_refill_) * fill_rate_);
    last_refill_ = std::max(last_refill_, now);
}

double adaptive_rate::try_acquire(double now) noexcept {
    if (!enabled_) {
        sent(now);
        return 0;
    }
    refill(now);
    if (tokens_ >= 1 - 1e-9) { // (a token accumulated in floating point)
        tokens_ -= 1;
        sent(now);
        return 0;
    }
    return (1 - tokens_) / fill_rate_;
}

void adaptive_rate::sent(double now) noexcept { sends_[send_count_++ % recent_sends] = now; }

double adaptive_rate::recent_send_rate() const noexcept {
    if (send_count_ < recent_sends)
        return 0;
    const double newest = sends_[(send_count_ - 1) % recent_sends];
    const double oldest = sends_[send_count_ % recent_sends];
    return newest > oldest ? double(recent_sends - 1) / (newest - oldest) : 0;
}

double adaptive_rate::time_until(double now, double n) noexcept {
    if (!enabled_)
        return 0;
    refill(now);
    return std::max(0.0, n - tokens_) / fill_rate_;
}

void adaptive_rate::measure(double now, bool success) noexcept {
    const double bucket = std::floor(now / bucket_seconds) * bucket_seconds;
    bucket_count_ += 1;
    bucket_successes_ += success ? 1 : 0;
    if (first_response_ < 0) {
        first_response_ = now;
        last_bucket_ = bucket;
    }
    if (bucket > last_bucket_) {
        // The first bucket covers the responses since the first one, not since the limiter was made.
        const double span = measured_once_ ? bucket - last_bucket_ : std::max(now - first_response_, 0.05);
        const double rate = bucket_count_ / span;
        const double accepted = bucket_successes_ / span;
        measured_ = measured_once_ ? smoothing * rate + (1 - smoothing) * measured_ : rate;
        accepted_ = measured_once_ ? smoothing * accepted + (1 - smoothing) * accepted_ : accepted;
        measured_once_ = true;
        bucket_count_ = 0;
        bucket_successes_ = 0;
        last_bucket_ = bucket;
    }
}

double adaptive_rate::measured(double now) const noexcept {
    if (measured_once_)
        return measured_;
    // No bucket has completed: the responses so far over the time they took (at least 50 ms, so that a
    // handful of early responses is not read as a huge rate). Zero here, as in the SDKs, would make the
    // first throttle drop the rate to the 0.5/s floor and CUBIC take tens of seconds to climb back.
    return bucket_count_ / std::max(now - first_response_, 0.05);
}

double adaptive_rate::accepted(double now) const noexcept {
    if (measured_once_)
        return accepted_;
    return bucket_successes_ / std::max(now - first_response_, 0.05);
}

void adaptive_rate::set_rate(double now, double rate) noexcept {
    refill(now);
    fill_rate_ = std::max(rate, min_fill_rate);
    max_capacity_ = std::max(rate * burst_seconds, min_capacity);
    tokens_ = std::min(tokens_, max_capacity_);
}

void adaptive_rate::on_response(double now, double sent_at, bool throttled) noexcept {
    measure(now, !throttled);
    // The send rate, following a burst after a quiet spell (see the class comment).
    const double measured =
        enabled_ ? std::max(this->measured(now), std::min(recent_send_rate(), fill_rate_)) : this->measured(now);
    double rate = 0;
    if (throttled) {
        if (enabled_ && sent_at < last_throttle_)
            return; // answers an attempt sent before the last decrease: this round is already handled
        // The SDKs' rate to cut from, but never below the rate the service has been accepting: a burst
        // of throttles after a cut (the service's bucket still empty) must not cut again and again.
        const double rate_to_use = std::max(enabled_ ? std::min(measured, fill_rate_) : measured, accepted(now));
        last_max_rate_ = rate_to_use;
        k_ = std::cbrt(last_max_rate_ * (1 - beta) / scale_c);
        last_throttle_ = now;
        rate = rate_to_use * beta;
        if (!enabled_) {
            enabled_ = true;
            last_refill_ = now;
            tokens_ = 0;
        }
    } else {
        if (!enabled_)
            return;
        const double dt = now - last_throttle_ - k_;
        rate = scale_c * dt * dt * dt + last_max_rate_;
    }
    set_rate(now, std::min(rate, 2 * measured));
}

} // namespace chime::detail
