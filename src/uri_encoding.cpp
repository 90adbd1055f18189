#include <chime/uri_encoding.hpp>

#include <array>

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

} // namespace

void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash) {
    // Two passes: count the escapes, size the output once, then write without capacity checks (a
    // request path of ARNs is a third escapes, and SigV4 encodes it a second time).
    static constexpr char digits[] = "0123456789ABCDEF";
    static constexpr auto kept = [] {
        std::array<bool, 256> t{};
        for (int c = 0; c < 256; ++c)
            t[static_cast<std::size_t>(c)] = is_uri_unreserved(static_cast<char>(c));
        return t;
    }();
    const auto keep = [&](unsigned char c) { return kept[c] || (keep_slash && c == '/'); };
    std::size_t escapes = 0;
    for (const char c : in)
        escapes += !keep(static_cast<unsigned char>(c));
    if (escapes == 0) {
        out.append(in);
        return;
    }
    // Without branches: every byte writes three (a kept byte then two that the next overwrites), so the
    // output has two bytes of slack, dropped at the end. An ARN's escapes fall at no predictable place.
    const std::size_t at = out.size();
    out.resize(at + in.size() + 2 * escapes + 2);
    char* p = out.data() + at;
    for (const char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        const bool k = keep(c);
        p[0] = k ? ch : '%';
        p[1] = digits[c >> 4];
        p[2] = digits[c & 0xF];
        p += k ? 1 : 3;
    }
    out.resize(out.size() - 2);
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
