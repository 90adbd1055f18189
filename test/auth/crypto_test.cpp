// SHA-256 and HMAC-SHA256 (src/auth/crypto): FIPS 180-2 and RFC 4231 vectors, then agreement with
// OpenSSL's own HMAC() over every key length around the block size, for the precomputed-key path the
// signer uses.
#include "auth/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using chime::detail::digest256;

std::string hex(const digest256& d) { return chime::detail::to_hex(d); }

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(crypto)

BOOST_AUTO_TEST_CASE(sha256_matches_the_fips_vectors) {
    BOOST_TEST(hex(chime::detail::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(hex(chime::detail::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hex(chime::detail::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

BOOST_AUTO_TEST_CASE(hmac_matches_rfc_4231) {
    const std::string long_key(131, '\xaa'); // longer than a block: hashed first
    struct vector {
        std::string key, data, mac;
    };
    const vector cases[] = {
        {std::string(20, '\x0b'), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {long_key, "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {long_key,
         "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
         "hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (const auto& c : cases) {
        BOOST_TEST(hex(chime::detail::hmac_sha256(bytes(c.key), c.data)) == c.mac);
        const chime::detail::hmac_sha256_key key(bytes(c.key));
        BOOST_TEST(hex(key.mac(c.data)) == c.mac);
        BOOST_TEST(hex(key.mac(c.data)) == c.mac); // the key's state is not consumed by a MAC
    }
}

BOOST_AUTO_TEST_CASE(hmac_agrees_with_openssl_for_every_key_length_around_the_block) {
    std::string data;
    for (std::size_t key_size = 0; key_size <= 140; ++key_size) {
        std::string key;
        for (std::size_t i = 0; i < key_size; ++i)
            key.push_back(static_cast<char>((i * 131 + key_size) & 0xff));
        data.push_back(static_cast<char>(key_size * 7)); // data of 1..141 bytes
        digest256 expected{};
        unsigned len = 0;
        BOOST_REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                           reinterpret_cast<const unsigned char*>(data.data()), data.size(), expected.data(), &len));
        BOOST_REQUIRE_EQUAL(len, 32u);
        BOOST_TEST(hex(chime::detail::hmac_sha256_key(bytes(key)).mac(data)) == hex(expected), "key of " << key_size << " bytes");
    }
}

BOOST_AUTO_TEST_SUITE_END()
