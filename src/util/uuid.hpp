#pragma once
// RFC 4122 version 4 UUIDs from 16 random bytes, as text (idempotency tokens, invocation ids).

#include <optional>
#include <string>

namespace chime::detail {

/// Sets the version and variant bits of `b`, then writes it into `out` as
/// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
inline void format_uuid_v4(unsigned char (&b)[16], char (&out)[36]) {
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    char* p = out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 0xF];
    }
}

/// The same, as a string.
inline std::string format_uuid_v4(unsigned char (&b)[16]) {
    char text[36];
    format_uuid_v4(b, text);
    return std::string(text, sizeof text);
}

/// A UUIDv4 from OpenSSL's CSPRNG (idempotency tokens, session ids); empty when RAND_bytes fails, so
/// that each caller names what it could not make. The random bytes come from a per-thread buffer
/// refilled 512 bytes at a time (uuid.cpp).
std::optional<std::string> secure_uuid_v4();

} // namespace chime::detail
