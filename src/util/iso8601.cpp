#include "util/iso8601.hpp"

#include <cmath>
#include <cstdio>

namespace chime::detail {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size())
        return false;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

} // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
    using namespace std::chrono;
    int y, mo, d, h, mi, sec;
    if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
        s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
        return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60)
        return std::nullopt;
    std::size_t pos = 19;
    nanoseconds frac{0};
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        long long scale = 100'000'000;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            frac += nanoseconds((s[pos] - '0') * scale);
            scale /= 10;
            ++pos;
        }
        if (pos == start)
            return std::nullopt;
    }
    minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, om))
            return std::nullopt;
        offset = hours(oh) + minutes(om);
        if (s[pos] == '-')
            offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    const sys_seconds tp = sys_days{ymd} + hours(h) + minutes(mi) + seconds(sec) - offset;
    if (!within_clock_range(static_cast<double>(tp.time_since_epoch().count())))
        return std::nullopt; // 4-digit years reach 9999; nanoseconds from 1970 only reach 2262
    return time_point_cast<system_clock::duration>(tp) + frac;
}

std::optional<std::chrono::system_clock::time_point> from_epoch_seconds(double seconds) {
    using namespace std::chrono;
    if (!within_clock_range(seconds))
        return std::nullopt;
    // AWS writes at most millisecond precision; rounding keeps 1704164645.123 from becoming .122999.
    return system_clock::time_point(duration_cast<system_clock::duration>(milliseconds(std::llround(seconds * 1000.0))));
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const auto ms = floor<milliseconds>(t - day);
    const hh_mm_ss hms{ms};
    char buf[40];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                          static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                          static_cast<int>(hms.seconds().count()));
    if (const auto sub = hms.subseconds().count(); sub != 0)
        n += std::snprintf(buf + n, sizeof buf - n, ".%03d", static_cast<int>(sub));
    std::snprintf(buf + n, sizeof buf - n, "Z");
    return buf;
}

} // namespace chime::detail
