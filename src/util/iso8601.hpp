#pragma once
// ISO-8601 / RFC 3339 date-times as AWS writes them: 2026-11-22T10:00:00Z, with optional fractional
// seconds and a Z or ±HH:MM offset.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace chime::detail {

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s);

/// 2026-11-22T10:00:00Z (fractional seconds only when non-zero, as milliseconds).
std::string format_iso8601(std::chrono::system_clock::time_point t);

} // namespace chime::detail
