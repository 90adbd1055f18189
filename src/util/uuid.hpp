#pragma once
// RFC 4122 version 4 UUIDs from 16 random bytes, as text (idempotency tokens, invocation ids).

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <cstddef>
#include <cstring>
#include <mutex>
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

/// Bytes from OpenSSL's CSPRNG, fetched 512 at a time per thread: one RAND_bytes call costs about as
/// much as a whole SigV4 signature, so asking for 16 bytes per call was a visible share of a call's CPU.
/// A forked child drops the bytes it inherited (pthread_atfork), so parent and child never share any.
struct random_pool {
    unsigned char bytes[512];
    std::size_t used = sizeof bytes;

    static random_pool& mine() {
        thread_local random_pool pool;
        static std::once_flag registered;
        std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, [] { mine().used = sizeof mine().bytes; }); });
        return pool;
    }
    bool take(unsigned char* out, std::size_t n) {
        if (used + n > sizeof bytes) {
            if (RAND_bytes(bytes, sizeof bytes) != 1)
                return false;
            used = 0;
        }
        std::memcpy(out, bytes + used, n);
        OPENSSL_cleanse(bytes + used, n); // handed out once
        used += n;
        return true;
    }
};

/// A UUIDv4 from OpenSSL's CSPRNG (idempotency tokens, session ids); empty when RAND_bytes fails, so
/// that each caller names what it could not make.
inline std::optional<std::string> secure_uuid_v4() {
    unsigned char b[16];
    if (!random_pool::mine().take(b, sizeof b))
        return std::nullopt;
    return format_uuid_v4(b);
}

} // namespace chime::detail
