#pragma once
// Shared by the examples: where to send calls. With nothing configured (neither AWS_ENDPOINT_URL nor
// AWS_ACCESS_KEY_ID set) an in-process chime-local on 127.0.0.1 (HTTPS, a self-signed certificate
// trusted for this run only); otherwise the configuration the AWS CLI would use (environment, profile).

#include "chime-local/server.hpp"

#include <chime/client_config.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include <unistd.h>

namespace example {

struct target {
    std::optional<chime::local::server> local; ///< set when the example runs against chime-local
    std::filesystem::path ca;
    chime::client_config config;

    target() {
        if (std::getenv("AWS_ENDPOINT_URL") || std::getenv("AWS_ACCESS_KEY_ID"))
            return; // the AWS CLI's resolution, in the clients
        local.emplace(chime::local::server_options{});
        ca = std::filesystem::temp_directory_path() / ("chime-example-ca-" + std::to_string(::getpid()) + ".pem");
        std::ofstream(ca) << local->certificate_pem();
        config.endpoint_url = local->url();
        config.region = "us-east-1";
        config.credentials = chime::auth::make_static_provider(
            {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "chime-local example keys"});
        config.transport.pool.tls.ca_file = ca.string();
        std::cout << "started chime-local at " << local->url() << "\n";
    }
    ~target() {
        if (!ca.empty()) {
            std::error_code ignored;
            std::filesystem::remove(ca, ignored);
        }
    }
    target(const target&) = delete;
    target& operator=(const target&) = delete;
};

} // namespace example
