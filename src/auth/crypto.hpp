#pragma once
// SHA-256 and HMAC-SHA256 over OpenSSL's SHA-256 block functions. Private to the library.

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chime::detail {

using digest256 = std::array<std::uint8_t, 32>;

digest256 sha256(std::string_view data);
digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

/// HMAC-SHA256 under one key, with the key's inner and outer blocks hashed once: each MAC then costs
/// the data's blocks and one more, with no allocation (SigV4 signs every request with the day's key).
class hmac_sha256_key {
public:
    hmac_sha256_key() = default;
    explicit hmac_sha256_key(std::span<const std::uint8_t> key);
    digest256 mac(std::string_view data) const;

private:
    SHA256_CTX inner_{}, outer_{};
};

void append_hex(std::string& out, std::span<const std::uint8_t> bytes);

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string s;
    append_hex(s, bytes);
    return s;
}

} // namespace chime::detail
