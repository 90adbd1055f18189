#include <chime/uri_encoding.hpp>

#include <array>
#include <cstring>

namespace chime {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

// What each byte becomes, as four bytes written at once: the byte itself or "%XX", then the number of
// output bytes in the last place (a later byte or the final resize overwrites the rest).
using encoding_table = std::array<std::array<char, 4>, 256>;

constexpr encoding_table make_encoding_table(bool keep_slash) {
    constexpr char digits[] = "0123456789ABCDEF";
    encoding_table t{};
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        if (is_uri_unreserved(c) || (keep_slash && c == '/'))
            t[static_cast<std::size_t>(b)] = {c, 0, 0, 1};
        else
            t[static_cast<std::size_t>(b)] = {'%', digits[b >> 4], digits[b & 0xF], 3};
    }
    return t;
}

} // namespace

void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash) {
    // One table lookup and one four-byte store per input byte, no branch: an ARN's escapes fall at no
    // predictable place. The output is sized for the worst case first (three bytes each, plus one for
    // the last store), then cut to what was written.
    static constexpr encoding_table encode = make_encoding_table(false);
    static constexpr encoding_table encode_keeping_slash = make_encoding_table(true);
    const encoding_table& t = keep_slash ? encode_keeping_slash : encode;
    const std::size_t at = out.size();
    out.resize(at + 3 * in.size() + 1);
    char* const begin = out.data() + at;
    char* p = begin;
    for (const char ch : in) {
        const auto& e = t[static_cast<unsigned char>(ch)];
        std::memcpy(p, e.data(), 4);
        p += e[3];
    }
    out.resize(at + static_cast<std::size_t>(p - begin));
}

std::string uri_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::size_t run = 0;
    for (std::size_t i = 0; i + 2 < in.size(); ++i) {
        if (in[i] != '%')
            continue;
        const int hi = hex_value(in[i + 1]);
        const int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0)
            continue; // not an escape: kept literally
        out.append(in.data() + run, i - run);
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        run = i + 1;
    }
    out.append(in.data() + run, in.size() - run);
    return out;
}

} // namespace chime
