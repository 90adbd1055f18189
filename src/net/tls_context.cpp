#include "net/tls_context.hpp"

#include <chime/error.hpp>

#include <openssl/ssl.h>

namespace chime::net::detail {

std::unique_ptr<boost::asio::ssl::context> make_client_tls_context(const tls_options& tls) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    boost::system::error_code ec;
    if (!tls.verify) {
        ctx->set_verify_mode(ssl::verify_none, ec);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!tls.ca_file.empty() && (ctx->load_verify_file(tls.ca_file, ec), ec))
        throw exception(errc::invalid_config_value, "TLS: cannot load CA file '" + tls.ca_file + "': " + ec.message());
    if (!tls.ca_directory.empty() && (ctx->add_verify_path(tls.ca_directory, ec), ec))
        throw exception(errc::invalid_config_value,
                        "TLS: cannot use CA directory '" + tls.ca_directory + "': " + ec.message());
    if (tls.ca_file.empty() && tls.ca_directory.empty() && (ctx->set_default_verify_paths(ec), ec))
        throw exception(errc::invalid_config_value, "TLS: cannot load the system CA store: " + ec.message());
    return ctx;
}

} // namespace chime::net::detail
