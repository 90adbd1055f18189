#pragma once
/// @file
/// HTTP messages as the request path and the service layers see them: plain values, no Beast types.

#include <chime/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace chime::http {

struct header {
    std::string name;
    std::string value;
};

/// A header by reference: what the transport adds to one exchange (signature, attempt number) without
/// copying it into the request. The views must outlive the exchange.
struct header_view {
    std::string_view name;
    std::string_view value;
};

/// A request. `path` and `query` are on-the-wire (percent-encoded) forms; `query` has no `?`.
/// Not an aggregate on purpose: g++ 12 destroys aggregate temporaries inside co_await twice.
struct request {
    request() {}

    std::string method = "GET";
    std::string path = "/";
    std::string query;
    std::vector<header> headers;
    std::string body;

    /// The value of the first header named `name` (case-insensitive), or empty.
    std::string_view header_value(std::string_view name) const noexcept;
    void set_header(std::string name, std::string value);
};

struct response {
    unsigned status = 0;
    std::vector<header> headers;
    std::string body;

    /// The value of the first header named `name` (case-insensitive), or empty.
    std::string_view header_value(std::string_view name) const noexcept;
    /// `x-amzn-RequestId`, else `x-amz-request-id`, else empty.
    std::string_view request_id() const noexcept;
};

/// Decodes an AWS rest-json error response: the code from `x-amzn-ErrorType` (text before any `:`),
/// else the body's `Code`, `code` or `__type` (text after any `#`); the message from the body's
/// `Message` or `message`. The error code is an `aws_errc` when the name is known and agrees with the
/// status (status classifies first), else `http_category()` with the status as value.
error service_error(const response& r);

/// Case-insensitive ASCII comparison, as HTTP header names need.
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace chime::http
