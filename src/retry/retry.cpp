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

void retry_state::after_success() { quota_.release(attempts_ == 1 ? opts_.success_refund : last_cost_); }

} // namespace chime
