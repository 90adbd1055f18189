#pragma once
// Self-signed certificates made at start (EC P-256, ten-year validity): chime-local's own, and the test
// suite's, so that no key or certificate is ever committed and none expires.

#include <string>
#include <string_view>
#include <vector>

namespace chime::local {

struct certificate {
    std::string cert_pem;
    std::string key_pem;
};

/// Validity, in seconds from now: by default from an hour ago for ten years. Tests make expired ones.
struct validity {
    long not_before = -3600;
    long not_after = 60L * 60 * 24 * 3650;
};

/// A self-signed CA-capable certificate whose subjectAltName lists `dns_names` and `ip_addresses`.
/// @throws std::runtime_error when OpenSSL fails.
certificate make_self_signed(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                             std::string_view common_name = "chime-local", validity valid = {});

} // namespace chime::local
