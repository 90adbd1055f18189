#pragma once
/// @file
/// Where requests go: scheme, host and port, parsed from an endpoint URL.

#include <chime/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace chime::net {

/// Not an aggregate on purpose (see signing_scope): safe as a temporary in a co_await expression.
struct endpoint {
    endpoint() {}
    endpoint(bool use_tls, std::string h, std::uint16_t p)
        : tls(use_tls)
        , host(std::move(h))
        , port(p) {}

    bool tls = true;
    std::string host; ///< a DNS name or an IP literal (IPv6 without brackets)
    std::uint16_t port = 443;

    /// Parses `https://host[:port]` or `http://host[:port]`; a path other than `/`, a query, a fragment
    /// or user info is an error naming the URL.
    static result<endpoint> parse(std::string_view url);

    /// The Host header value: the host, with `:port` only when it is not the scheme's default.
    std::string host_header() const;
    /// `https://host:port`, for messages and as a pool key.
    std::string origin() const;
    /// True for IP literals and `localhost`, where AWS host prefixes are not applied.
    bool is_local_or_ip() const;

    bool operator==(const endpoint&) const = default;
};

} // namespace chime::net
