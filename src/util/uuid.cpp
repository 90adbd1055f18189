#include "util/uuid.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <cstddef>
#include <cstring>

namespace chime::detail {
namespace {

// Bytes from OpenSSL's CSPRNG, fetched 512 at a time per thread: one RAND_bytes call costs about as much
// as a whole SigV4 signature, so asking for 16 bytes per call was a visible share of a call's CPU. A
// forked child drops the bytes it inherited (pthread_atfork), so parent and child never share any.
struct random_pool {
    unsigned char bytes[512];
    std::size_t used = sizeof bytes;

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

random_pool& my_pool() {
    thread_local random_pool pool;
    // Registered once, on first use; in the child the only thread is the one that forked.
    static const int registered = pthread_atfork(nullptr, nullptr, [] { my_pool().used = sizeof my_pool().bytes; });
    (void)registered;
    return pool;
}

} // namespace

std::optional<std::string> secure_uuid_v4() {
    unsigned char b[16];
    if (!my_pool().take(b, sizeof b))
        return std::nullopt;
    return format_uuid_v4(b);
}

} // namespace chime::detail
