#pragma once
// Byte tests eight bytes at a time, for the checks that read every header of every request (SigV4's
// canonical values, the pool's CR/LF guard).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace chime::detail {

/// `b` in every byte of a word.
constexpr std::uint64_t every_byte(unsigned char b) noexcept { return 0x0101010101010101ull * b; }

/// Whether some byte of `w` is below `n` (n at most 128). Exact as a yes or no; it does not say which.
constexpr bool has_byte_below(std::uint64_t w, unsigned char n) noexcept {
    return ((w - every_byte(n)) & ~w & every_byte(0x80)) != 0;
}

/// Whether some byte of `s` passes `byte_test`. `word_test` must be true for an eight-byte word exactly
/// when some byte of it passes `byte_test`; it reads the body of `s`, `byte_test` the last few bytes.
template <class WordTest, class ByteTest>
bool any_byte(std::string_view s, WordTest word_test, ByteTest byte_test) {
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        if (word_test(w))
            return true;
    }
    for (; i < s.size(); ++i)
        if (byte_test(static_cast<unsigned char>(s[i])))
            return true;
    return false;
}

} // namespace chime::detail
