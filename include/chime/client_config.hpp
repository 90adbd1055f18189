#pragma once
/// @file
/// What every service client is built from, and the tag that selects the no-throw form of a call.

#include <chime/auth/credentials_provider.hpp>
#include <chime/transport.hpp>

#include <memory>
#include <optional>
#include <string>

namespace chime {

/// Pass as the last argument of an operation for `chime::result<T>` instead of an exception.
struct no_throw_t {
    explicit no_throw_t() = default;
};
inline constexpr no_throw_t no_throw{};

/// How to reach a service. Every field is optional: unset ones are resolved as the AWS CLI resolves
/// them (`chime::load_config`: environment, then the shared config profile).
struct client_config {
    std::optional<std::string> region;       ///< else AWS_REGION, AWS_DEFAULT_REGION, the profile
    std::optional<std::string> endpoint_url; ///< else AWS_ENDPOINT_URL_<SERVICE>, ..., else the AWS endpoint
    std::optional<std::string> profile;      ///< else AWS_PROFILE, else "default"
    std::shared_ptr<auth::credentials_provider> credentials; ///< else the AWS CLI's chain for the profile
    std::optional<int> max_attempts;         ///< else AWS_MAX_ATTEMPTS, the profile's max_attempts, else transport.retry
    std::optional<chime::retry_mode> retry_mode; ///< else AWS_RETRY_MODE, the profile's retry_mode, else transport.retry
    transport_options transport;             ///< pool, TLS, retries, logging, metrics
    std::shared_ptr<chime::transport> shared_transport; ///< to share one pool between clients (then `transport` is unused)
    bool host_prefix = true; ///< apply AWS host prefixes (`messaging-`, `identity-`); never on IP literals or localhost
};

} // namespace chime
