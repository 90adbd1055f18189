#pragma once
// A byte test eight bytes at a time, for the checks that read every header of every request (SigV4's
// canonical values, the pool's CR/LF guard).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace chime::detail {

/// Whether some byte of `s` is below `n` (n at most 128).
inline bool any_byte_below(std::string_view s, unsigned char n) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const std::uint64_t below = ones * n;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (((w - below) & ~w & highs) != 0) // exact as a yes or no for n <= 128
            return true;
    }
    for (; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) < n)
            return true;
    return false;
}

} // namespace chime::detail
