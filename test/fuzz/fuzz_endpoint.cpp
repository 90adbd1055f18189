// libFuzzer target: endpoint URL parsing, and URI encoding and decoding (which must round-trip).
#include <chime/net/endpoint.hpp>
#include <chime/uri_encoding.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto ep = chime::net::endpoint::parse(text)) {
        (void)ep->host_header();
        (void)ep->origin();
        (void)ep->is_local_or_ip();
    }
    const std::string encoded = chime::uri_encode(text);
    if (chime::uri_decode(encoded) != text)
        std::abort(); // encoding then decoding must give the input back
    (void)chime::uri_decode(text);
    return 0;
}
