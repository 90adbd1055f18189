#pragma once
// RFC 4122 version 4 UUIDs from 16 random bytes, as text (idempotency tokens, invocation ids).

#include <optional>
#include <string>

namespace chime::detail {

/// Sets the version and variant bits of `b`, then writes it as `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
inline std::string format_uuid_v4(unsigned char (&b)[16]) {
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s += '-';
        s += hex[b[i] >> 4];
        s += hex[b[i] & 0xF];
    }
    return s;
}

/// A UUIDv4 from OpenSSL's CSPRNG (idempotency tokens, session ids); empty when RAND_bytes fails, so
/// that each caller names what it could not make. The random bytes come from a per-thread buffer
/// refilled 512 bytes at a time (uuid.cpp).
std::optional<std::string> secure_uuid_v4();

} // namespace chime::detail
