#include "auth/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace chime::detail {
namespace {

// OpenSSL 3 looks an algorithm up by name on every implicit fetch, which costs more than hashing
// the few hundred bytes of a canonical request. Fetch once per process, and keep one context per
// thread so that no call allocates or takes a lock.
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md)
        throw std::runtime_error("OpenSSL: SHA256 is not available");
    return md;
}

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct mac_ctx_deleter {
    void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};

EVP_MD_CTX* thread_md_ctx() {
    thread_local std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx{EVP_MD_CTX_new()};
    if (!ctx)
        throw std::runtime_error("OpenSSL: EVP_MD_CTX_new failed");
    return ctx.get();
}

EVP_MAC_CTX* make_hmac_ctx() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac)
        throw std::runtime_error("OpenSSL: HMAC is not available");
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    if (!ctx)
        throw std::runtime_error("OpenSSL: EVP_MAC_CTX_new failed");
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        throw std::runtime_error("OpenSSL: cannot set HMAC digest");
    }
    return ctx;
}

EVP_MAC_CTX* thread_hmac_ctx() {
    // The digest is set once; EVP_MAC_init with a key and no parameters re-keys the same context.
    thread_local std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter> ctx{make_hmac_ctx()};
    return ctx.get();
}

} // namespace

digest256 sha256(std::string_view data) {
    digest256 out{};
    EVP_MD_CTX* ctx = thread_md_ctx();
    unsigned len = 0;
    if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size())
        throw std::runtime_error("OpenSSL: SHA256 failed");
    return out;
}

digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
    digest256 out{};
    EVP_MAC_CTX* ctx = thread_hmac_ctx();
    std::size_t len = 0;
    if (EVP_MAC_init(ctx, key.data(), key.size(), nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size())
        throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
    return out;
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
