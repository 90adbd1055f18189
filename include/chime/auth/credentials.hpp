#pragma once
/// @file
/// AWS credentials: an access key pair, an optional session token and an optional expiry.

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

namespace chime::auth {

/// One set of AWS credentials.
///
/// The secret access key and the session token are secrets: `operator<<` and `to_string` print
/// them redacted, and no library message ever contains them.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; ///< empty when the credentials are long-term keys

    /// When the credentials stop working; empty for credentials that do not expire.
    std::optional<std::chrono::system_clock::time_point> expiration;

    /// Where the credentials came from, e.g. "environment" or "shared credentials file
    /// /root/.aws/credentials".
    std::string source;

    bool expires_before(std::chrono::system_clock::time_point t) const noexcept {
        return expiration && *expiration <= t;
    }
};

/// A printable, redacted description: the access key id, the source and the expiry, never the secrets.
std::string to_string(const credentials& c);
std::ostream& operator<<(std::ostream& os, const credentials& c);

} // namespace chime::auth
