#include <chime/detail/service_client.hpp>

#include "util/uuid.hpp"

namespace chime::detail {

service_client::service_client(boost::asio::any_io_executor ex, client_config cfg, const service_info& info) {
    idempotent_options_.idempotent = true;
    config_overrides ov;
    ov.profile = cfg.profile;
    ov.region = cfg.region;
    ov.endpoint_url = cfg.endpoint_url;
    ov.max_attempts = cfg.max_attempts;
    ov.retry_mode = cfg.retry_mode;
    const aws_config resolved = load_config(info.service_id, ov);

    if (info.global)
        scope_.region = "us-east-1";
    else if (resolved.region)
        scope_.region = resolved.region->value;
    else
        throw exception(errc::invalid_config_value,
                        std::string(info.service_id) +
                            ": no region; set one in the client_config, AWS_REGION, AWS_DEFAULT_REGION or the "
                            "profile's region");

    const std::string url = resolved.endpoint_url ? resolved.endpoint_url->value
                            : info.global ? "https://" + std::string(info.endpoint_prefix) + ".us-east-1.amazonaws.com"
                                          : "https://" + std::string(info.endpoint_prefix) + "." + scope_.region +
                                                ".amazonaws.com";
    endpoint_ = net::endpoint::parse(url).value();
    if (cfg.host_prefix && !endpoint_.is_local_or_ip())
        for (std::string_view prefix : info.host_prefixes)
            prefixed_.emplace_back(prefix, net::endpoint(endpoint_.tls, std::string(prefix) + endpoint_.host,
                                                         endpoint_.port));

    if (cfg.shared_transport) {
        transport_ = std::move(cfg.shared_transport);
    } else {
        if (!cfg.transport.pool.tls.ca_file.size() && resolved.ca_bundle)
            cfg.transport.pool.tls.ca_file = resolved.ca_bundle->value;
        apply_config(cfg.transport.retry, resolved);
        auto creds = cfg.credentials ? cfg.credentials : auth::make_default_provider(resolved);
        transport_ = std::make_shared<chime::transport>(std::move(ex), std::move(creds), std::move(cfg.transport));
    }
}

net::endpoint service_client::endpoint_for(const operation_info& op) const {
    for (const auto& [prefix, ep] : prefixed_)
        if (prefix == op.host_prefix)
            return ep;
    return endpoint_;
}

// Not a coroutine: the transport's coroutine is the call's, with no frame in between. Everything it
// refers to (endpoint, scope, options) belongs to this client, as the generated clients require anyway.
boost::asio::awaitable<result<http::response>> service_client::call(const operation_info& op,
                                                                     http::request req) const {
    const net::endpoint* target = &endpoint_;
    for (const auto& [prefix, ep] : prefixed_)
        if (prefix == op.host_prefix)
            target = &ep;
    // An operation with an idempotency token is safe to retry even when it is a POST.
    return transport_->send(*target, std::move(req), scope_, op.name,
                            op.idempotency_token ? idempotent_options_ : options_);
}

std::string new_idempotency_token() {
    auto token = secure_uuid_v4();
    if (!token)
        throw exception(errc::invalid_request, "cannot generate an idempotency token: OpenSSL RAND_bytes failed");
    return std::move(*token);
}

error missing_member(std::string_view operation, std::string_view member) {
    return error(make_error_code(errc::invalid_request),
                 std::string(operation) + ": missing required member " + std::string(member));
}

} // namespace chime::detail
