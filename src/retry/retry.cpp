#include <chime/retry.hpp>

#include "util/iso8601.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace chime {

retry_class classify(const error& e) noexcept {
    if (e.code == errc::send_rate_limited || e.code == errc::deadline_exceeded)
        return retry_class::final; // our own verdicts: another attempt would only wait longer
    if (e.code == condition::throttled)
        return retry_class::throttling;
    if (e.code == condition::retryable)
        return retry_class::transient;
    return retry_class::final;
}

std::chrono::milliseconds backoff(const retry_options& o, retry_class c, int retry_index, double random01) noexcept {
    const auto base = c == retry_class::throttling ? o.throttling_base : o.transient_base;
    // base * 2^i, capped; the shift is bounded so it never overflows.
    std::chrono::milliseconds ceiling = o.max_backoff;
    if (retry_index < 40 && base.count() > 0 && base.count() <= (o.max_backoff.count() >> retry_index))
        ceiling = base * (std::int64_t{1} << retry_index);
    random01 = std::clamp(random01, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(random01 * double(ceiling.count())));
}

namespace {

std::optional<std::int64_t> integer(std::string_view s) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate).
std::optional<std::chrono::system_clock::time_point> http_date(std::string_view s) {
    std::tm tm{};
    const std::string text(s);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0')
        return std::nullopt;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1) || !detail::within_clock_range(static_cast<double>(t)))
        return std::nullopt; // a year the clock's nanoseconds cannot hold
    return std::chrono::system_clock::from_time_t(t);
}

} // namespace

std::optional<std::chrono::milliseconds> retry_after_hint(const http::response& r,
                                                          std::chrono::system_clock::time_point now) {
    if (const auto ms = r.header_value("x-amz-retry-after"); !ms.empty()) {
        const auto v = integer(ms);
        return v && *v >= 0 ? std::optional(std::chrono::milliseconds(*v)) : std::nullopt;
    }
    const auto ra = r.header_value("Retry-After");
    if (ra.empty())
        return std::nullopt;
    if (const auto secs = integer(ra))
        // Capped at a day before scaling (the hint is clamped to 5 s beyond the backoff anyway), so that a
        // huge value cannot overflow.
        return *secs >= 0 ? std::optional(std::chrono::milliseconds(std::min<std::int64_t>(*secs, 86'400) * 1000))
                          : std::nullopt;
    if (const auto at = http_date(ra)) {
        const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now);
        return d.count() >= 0 ? std::optional(d) : std::nullopt;
    }
    return std::nullopt;
}

std::chrono::milliseconds with_hint(std::chrono::milliseconds t, std::optional<std::chrono::milliseconds> hint,
                                    std::chrono::milliseconds cap) noexcept {
    if (!hint)
        return t;
    return std::max(t, std::min(*hint, t + cap));
}

bool retry_quota::try_acquire(int cost) {
    std::lock_guard lock(mutex_);
    if (tokens_ < cost)
        return false;
    tokens_ -= cost;
    return true;
}

void retry_quota::release(int amount) {
    std::lock_guard lock(mutex_);
    tokens_ = std::min(capacity_, tokens_ + amount);
}

int retry_quota::available() const {
    std::lock_guard lock(mutex_);
    return tokens_;
}

std::optional<std::chrono::milliseconds> retry_state::after_failure(const error& e,
                                                                    std::optional<std::chrono::milliseconds> hint,
                                                                    double random01) {
    const retry_class c = classify(e);
    if (c == retry_class::throttling)
        ++throttles_;
    if (c == retry_class::final) {
        stop_reason_ = "final error";
        return std::nullopt;
    }
    if (attempts_ >= opts_.max_attempts) {
        stop_reason_ = "attempts used up";
        return std::nullopt;
    }
    const int cost = c != retry_class::throttling              ? opts_.transient_cost
                     : opts_.mode == retry_mode::adaptive ? opts_.adaptive_throttling_cost
                                                          : opts_.throttling_cost;
    if (cost > 0 && !quota_.try_acquire(cost)) {
        stop_reason_ = "retry quota empty";
        return std::nullopt;
    }
    last_cost_ = cost;
    const auto t = backoff(opts_, c, attempts_ - 1, random01);
    ++attempts_;
    return with_hint(t, hint, opts_.retry_after_cap);
}

void apply_config(retry_options& o, const aws_config& cfg) {
    if (cfg.max_attempts)
        o.max_attempts = cfg.max_attempts->value;
    if (cfg.retry_mode)
        o.mode = cfg.retry_mode->value;
}

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
    // The send rate: the smoothed measurement, or the rate of the last sends when higher (and within
    // the fill rate): after a quiet spell the smoothed rate lags a burst of callers by a second or more.
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

void retry_state::after_success() { quota_.release(attempts_ == 1 ? opts_.success_refund : last_cost_); }

} // namespace chime
