#include "support/tls_identity.hpp"

#include "chime-local/certificate.hpp"

namespace chime::test {

tls_identity make_self_signed(const std::vector<std::string>& dns_names,
                              const std::vector<std::string>& ip_addresses, bool expired) {
    local::validity valid;
    if (expired)
        valid = {.not_before = -2L * 86400, .not_after = -86400};
    auto c = local::make_self_signed(dns_names, ip_addresses, "chime-cpp test", valid);
    return {std::move(c.cert_pem), std::move(c.key_pem)};
}

const tls_identity& loopback_identity() {
    static const tls_identity id = make_self_signed({"localhost"}, {"127.0.0.1"});
    return id;
}

} // namespace chime::test
