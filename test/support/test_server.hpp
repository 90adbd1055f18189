#pragma once
// A scripted HTTP/1.1 server on 127.0.0.1 (TLS or plain) for transport tests and benchmarks. It runs on
// its own io_context and thread; a handler decides, per request, how to answer or how to misbehave.

#include "support/tls_identity.hpp"

#include <chime/http/message.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chime::test {

struct received_request {
    std::string method;
    std::string target;
    std::vector<http::header> headers;
    std::string body;
    std::size_t connection = 0; // 1-based connection number
    std::size_t index_on_connection = 0;

    std::string_view header_value(std::string_view name) const;
};

struct reply {
    enum class kind {
        respond,               // a normal response
        close_before_response, // read the request, then close without a byte
        close_mid_body,        // headers and half of the body, then close
        never_respond,         // read the request and hold the connection silently
        raw,                   // write `raw` exactly as given, then close
        trickle,               // headers, then the body one byte every `trickle_interval`
    };
    kind what = kind::respond;
    unsigned status = 200;
    std::vector<http::header> headers;
    std::string body = "{}";
    std::chrono::milliseconds delay{0}; // before answering
    bool close_after = false;           // "Connection: close", then close
    bool reset = false;                 // close_* and raw: end with a TCP RST instead of a clean close
    std::string raw;                    // kind::raw: the bytes of the whole answer
    std::chrono::milliseconds trickle_interval{100};
};

struct server_options {
    bool tls = true;
    const tls_identity* identity = nullptr;  // default: loopback_identity()
    std::chrono::milliseconds idle_close{0}; // close keep-alive connections idle this long; 0 = never
};

struct server_stats {
    std::size_t connections = 0;
    std::size_t requests = 0;
    std::size_t max_concurrent_connections = 0;
    std::size_t resumed_handshakes = 0;
};

/// A file holding loopback_identity()'s certificate, for clients to trust as a CA file (made once).
const std::string& loopback_ca_file();

class test_server {
public:
    using handler_fn = std::function<reply(const received_request&)>;

    explicit test_server(server_options opts = {}, handler_fn handler = {});
    ~test_server(); // stops the server thread
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    std::uint16_t port() const;
    std::string url() const; // https://127.0.0.1:PORT or http://...
    server_stats stats() const;
    std::vector<received_request> requests() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace chime::test
