#pragma once
/// @file
/// RFC 3986 percent-encoding as AWS uses it: every byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XX`
/// (uppercase hex), so `+` is `%2B`, space is `%20` and `:` in an ARN is `%3A`.

#include <string>
#include <string_view>

namespace chime {

/// True for the bytes RFC 3986 leaves unencoded: `A-Z a-z 0-9 - _ . ~`.
constexpr bool is_uri_unreserved(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

/// Appends `in` percent-encoded to `out`. With `keep_slash`, `/` is left as is (for multi-segment labels).
void append_uri_encoded(std::string& out, std::string_view in, bool keep_slash = false);

/// Returns `in` percent-encoded.
inline std::string uri_encode(std::string_view in, bool keep_slash = false) {
    std::string out;
    append_uri_encoded(out, in, keep_slash);
    return out;
}

/// Decodes `%XX` sequences. `+` stays `+`. A `%` not followed by two hex digits is kept literally.
std::string uri_decode(std::string_view in);

} // namespace chime
