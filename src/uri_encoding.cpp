#include <chime/uri_encoding.hpp>

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
    static constexpr char digits[] = "0123456789ABCDEF";
    out.reserve(out.size() + in.size());
    std::size_t run = 0; // start of the current run of bytes that stay as they are
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (is_uri_unreserved(static_cast<char>(c)) || (keep_slash && c == '/'))
            continue;
        out.append(in.data() + run, i - run);
        const char esc[3] = {'%', digits[c >> 4], digits[c & 0xF]};
        out.append(esc, 3);
        run = i + 1;
    }
    out.append(in.data() + run, in.size() - run);
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
