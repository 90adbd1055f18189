#pragma once
// SHA-256 and HMAC-SHA256 over OpenSSL 3's EVP interfaces. Private to the library.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chime::detail {

using digest256 = std::array<std::uint8_t, 32>;

digest256 sha256(std::string_view data);
digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

void append_hex(std::string& out, std::span<const std::uint8_t> bytes);

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string s;
    append_hex(s, bytes);
    return s;
}

} // namespace chime::detail
