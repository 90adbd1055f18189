// OpenSSL 3 deprecates the SHA256_* functions in favour of EVP, whose provider dispatch, parameter
// lookups and context copies cost more than hashing the few hundred bytes of a canonical request: an
// EVP HMAC was about 4% of a client's CPU per call. The low-level functions run the same assembly
// (SHA-NI where the CPU has it) with plain copyable state, and remain part of OpenSSL 3's API.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "auth/crypto.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace chime::detail {
namespace {

constexpr std::size_t block_size = SHA256_CBLOCK; // 64

digest256 finish(SHA256_CTX& c) {
    digest256 out{};
    SHA256_Final(out.data(), &c);
    return out;
}

} // namespace

digest256 sha256(std::string_view data) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data.data(), data.size());
    return finish(c);
}

hmac_sha256_key::hmac_sha256_key(std::span<const std::uint8_t> key) {
    // RFC 2104: a key longer than a block is hashed first; then padded with zeros to a block.
    std::array<std::uint8_t, block_size> k{};
    if (key.size() > block_size) {
        const digest256 h = sha256({reinterpret_cast<const char*>(key.data()), key.size()});
        std::memcpy(k.data(), h.data(), h.size());
    } else if (!key.empty()) {
        std::memcpy(k.data(), key.data(), key.size());
    }
    std::array<std::uint8_t, block_size> pad;
    for (std::size_t i = 0; i < block_size; ++i)
        pad[i] = static_cast<std::uint8_t>(k[i] ^ 0x36);
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, pad.data(), pad.size());
    for (std::size_t i = 0; i < block_size; ++i)
        pad[i] = static_cast<std::uint8_t>(k[i] ^ 0x5c);
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, pad.data(), pad.size());
    OPENSSL_cleanse(k.data(), k.size());
    OPENSSL_cleanse(pad.data(), pad.size());
}

digest256 hmac_sha256_key::mac(std::string_view data) const {
    SHA256_CTX c = inner_;
    SHA256_Update(&c, data.data(), data.size());
    digest256 inner = finish(c);
    c = outer_;
    SHA256_Update(&c, inner.data(), inner.size());
    OPENSSL_cleanse(&inner, sizeof inner);
    return finish(c);
}

digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
    return hmac_sha256_key(key).mac(data);
}

void append_hex(std::string& out, std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    const std::size_t at = out.size();
    out.resize(at + bytes.size() * 2);
    char* p = out.data() + at;
    for (std::uint8_t b : bytes) {
        *p++ = digits[b >> 4];
        *p++ = digits[b & 0xF];
    }
}

} // namespace chime::detail
