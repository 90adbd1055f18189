#pragma once
// The client TLS context every connection of the library uses (the pool's and the messaging session's):
// TLS 1.2 or later, and certificate verification as `tls_options` says.

#include <chime/net/connection_pool.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace chime::net::detail {

/// @throws chime::exception (errc::invalid_config_value) when a CA file, directory or the system store
///         cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_client_tls_context(const tls_options& tls);

} // namespace chime::net::detail
