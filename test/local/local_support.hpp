#pragma once
// An in-process chime-local on 127.0.0.1:0 for tests, with client configurations that trust it.

#include "chime-local/server.hpp"
#include "support/test_support.hpp"

#include <chime/auth/credentials_provider.hpp>
#include <chime/client_config.hpp>

#include <string>

namespace chime::test {

inline const std::string local_access_key = "AKIDEXAMPLE";
inline const std::string local_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct local_emulator {
    explicit local_emulator(local::server_options o = {})
        : server(std::move(o)) {
        if (!server.certificate_pem().empty())
            write_file(dir.path() / "ca.pem", server.certificate_pem());
    }

    std::string ca_file() const { return (dir.path() / "ca.pem").string(); }

    /// A configuration for any generated client, signing with `access`/`secret`.
    client_config config(std::string access = local_access_key, std::string secret = local_secret_key) const {
        client_config c;
        c.region = "us-east-1";
        c.endpoint_url = server.url();
        c.credentials = auth::make_static_provider({std::move(access), std::move(secret), "", {}, ""});
        c.transport.pool.tls.ca_file = ca_file();
        return c;
    }

    scratch_dir dir;
    local::server server;
};

} // namespace chime::test
