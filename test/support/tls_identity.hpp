#pragma once
// Self-signed certificates made at test time (EC P-256, ten-year validity), so that no key or
// certificate is committed and none expires under the suite.

#include <filesystem>
#include <string>
#include <vector>

namespace chime::test {

struct tls_identity {
    std::string cert_pem;
    std::string key_pem;
};

/// A self-signed certificate whose subjectAltName lists `dns_names` and `ip_addresses`; with `expired`,
/// one whose validity ended yesterday.
tls_identity make_self_signed(const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses, bool expired = false);

/// The usual one for loopback servers: DNS localhost, IP 127.0.0.1.
const tls_identity& loopback_identity();

} // namespace chime::test
