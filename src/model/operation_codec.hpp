#pragma once
// rest-json request building and response parsing for the generated clients: URI labels, query
// strings (RFC 3986, ISO-8601 timestamps), header values and typed response bodies.

#include <chime/error.hpp>
#include <chime/http/message.hpp>
#include <chime/json.hpp>
#include <chime/uri_encoding.hpp>

#include "util/iso8601.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <string>
#include <string_view>
#include <vector>

namespace chime::detail {

template <class E>
concept string_enum = requires(const E& e) {
    { e.value } -> std::convertible_to<std::string>;
    e.is_known();
};

/// A URI label: percent-encoded (an ARN's ':' and '/' too), except '/' in greedy labels ({Key+}).
inline void append_label(std::string& path, std::string_view value, bool greedy) {
    append_uri_encoded(path, value, greedy);
}

inline void append_query(std::string& q, std::string_view key, std::string_view value) {
    if (!q.empty())
        q += '&';
    append_uri_encoded(q, key);
    q += '=';
    append_uri_encoded(q, value);
}
inline void append_query(std::string& q, std::string_view key, const std::string& v) {
    append_query(q, key, std::string_view(v));
}
inline void append_query(std::string& q, std::string_view key, std::int64_t v) { append_query(q, key, std::to_string(v)); }
inline void append_query(std::string& q, std::string_view key, std::int32_t v) { append_query(q, key, std::to_string(v)); }
inline void append_query(std::string& q, std::string_view key, bool v) {
    append_query(q, key, std::string_view(v ? "true" : "false")); // a const char* would pick this overload again
}
inline void append_query(std::string& q, std::string_view key, const std::chrono::system_clock::time_point& v) {
    append_query(q, key, format_iso8601(v));
}
template <string_enum E>
void append_query(std::string& q, std::string_view key, const E& v) {
    append_query(q, key, std::string_view(v.value));
}
template <class T>
void append_query(std::string& q, std::string_view key, const std::vector<T>& values) {
    for (const auto& v : values)
        append_query(q, key, v);
}

inline std::string header_text(const std::string& v) { return v; }
inline std::string header_text(std::int64_t v) { return std::to_string(v); }
inline std::string header_text(std::int32_t v) { return std::to_string(v); }
inline std::string header_text(bool v) { return v ? "true" : "false"; }
inline std::string header_text(const std::chrono::system_clock::time_point& v) { return format_iso8601(v); }
template <string_enum E>
std::string header_text(const E& v) {
    return v.value;
}

/// A required member the caller left empty (strings and enums; other types cannot be told apart).
inline bool is_empty(const std::string& v) { return v.empty(); }
template <string_enum E>
bool is_empty(const E& v) {
    return v.value.empty();
}
template <class T>
bool is_empty(const T&) {
    return false;
}

/// A request's JSON body (its body members only). The document lives only until it is serialized: in
/// a monotonic arena (a stack buffer, then blocks) its allocations are pointer bumps, and so is its
/// object's hash table.
template <class T>
std::string json_body(const T& request) {
    unsigned char arena[2048];
    boost::json::monotonic_resource mr(arena, sizeof arena);
    boost::json::value body(&mr);
    to_json(body, request, json_options{.body_only = true});
    return boost::json::serialize(body);
}

/// Parses a 2xx response body into the operation's output type; an empty body is an empty object.
template <class T>
result<T> parse_response(std::string_view operation, const http::response& r) {
    T out;
    // The document lives only until it is read into `out`: in a monotonic arena (a stack buffer, then
    // blocks), its many small allocations are pointer bumps and its destruction is free. A page of 50
    // messages is a few thousand of them.
    unsigned char arena[4096];
    boost::json::monotonic_resource mr(arena, sizeof arena);
    boost::json::value doc(&mr); // in the arena too, so assigning the parsed value moves it; destroyed before mr
    if (r.body.empty()) {
        doc.emplace_object();
    } else {
        boost::system::error_code ec;
        doc = boost::json::parse(r.body, ec, &mr);
        if (ec)
            return error(make_error_code(errc::bad_response),
                         diagnostics{std::string(operation) + ": the response body is not JSON (" + ec.message() + ")",
                                     r.status, {}, std::string(r.request_id())});
    }
    json_context ctx;
    if (!from_json(doc, out, ctx))
        return error(make_error_code(errc::bad_response),
                     diagnostics{std::string(operation) + ": unexpected response: " + ctx.error(), r.status, {},
                                 std::string(r.request_id())});
    return out;
}

/// An operation table's `read_response`: a 2xx body read into `T` as the typed call reads it, then written
/// back as JSON; any other status is the service error. `T = void` for operations without output.
template <class T>
result<boost::json::value> read_response_as_json(std::string_view operation, const http::response& r) {
    if (r.status < 200 || r.status > 299)
        return http::service_error(r);
    boost::json::value out;
    if constexpr (std::is_void_v<T>) {
        (void)operation;
        out.emplace_object();
    } else {
        auto parsed = parse_response<T>(operation, r);
        if (!parsed)
            return parsed.error();
        to_json(out, *parsed);
    }
    return out;
}

} // namespace chime::detail
