#pragma once
// ISO-8601 / RFC 3339 date-times as AWS writes them: 2026-11-22T10:00:00Z, with optional fractional
// seconds and a Z or ±HH:MM offset.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace chime::detail {

/// Whether a time `epoch_seconds` from 1970 fits a system_clock::time_point (nanoseconds in libstdc++),
/// with margin: about the years 1685 to 2255. Every parser of times checks it, so that a time outside is
/// rejected rather than overflowing.
inline bool within_clock_range(double epoch_seconds) { return epoch_seconds >= -9.0e9 && epoch_seconds <= 9.0e9; }

/// Empty when `s` is not such a date-time, or is not within_clock_range.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s);

/// Epoch seconds (fractions rounded to the millisecond, as AWS writes them) as a time point; empty when
/// not within_clock_range (NaN and infinities are not).
std::optional<std::chrono::system_clock::time_point> from_epoch_seconds(double seconds);

/// 2026-11-22T10:00:00Z (fractional seconds only when non-zero, as milliseconds).
std::string format_iso8601(std::chrono::system_clock::time_point t);

} // namespace chime::detail
