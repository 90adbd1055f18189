#pragma once
/// @file
/// chime-local: a stateful local emulator of the Amazon Chime APIs (`chime`, `chime-sdk-messaging`,
/// `chime-sdk-identity`, `chime-sdk-meetings`) over HTTPS or HTTP, with SigV4 verification, the
/// messaging-session websocket and fault injection. `build/bin/chime-local` runs one; tests, examples and
/// benchmarks start one in-process on port 0.

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace chime::local {

/// A token bucket: `rate` requests per second on average, bursts of up to `burst`. Off when rate is 0.
struct rate_limit {
    double rate = 0;
    double burst = 0;
};

/// What to break on purpose. Probabilities are per request, in [0, 1].
struct fault_options {
    rate_limit throttle;                             ///< every operation together; beyond it 429 ThrottledClientException
    std::map<std::string, rate_limit> per_operation; ///< by operation name, in addition
    double error_500 = 0;                            ///< 500 ServiceFailureException
    double error_503 = 0;                            ///< 503 ServiceUnavailableException
    std::chrono::milliseconds latency{0};            ///< added before every answer
    double close_before_response = 0;                ///< read the request, then close the connection
    double close_mid_response = 0;                   ///< send the headers and half of the body, then close
    /// Messaging sessions: accept the upgrade, then close with this code before SESSION_ESTABLISHED (0 = off).
    int ws_reject_code = 0;
    /// Messaging sessions: send SESSION_ESTABLISHED, then neither read nor write (pings go unanswered).
    bool ws_unresponsive = false;
};

/// Faults as JSON (the body of POST /_chime_local/faults) and back. @throws std::invalid_argument
/// naming the member that is wrong.
fault_options faults_from_json(const boost::json::value& v);
boost::json::value faults_to_json(const fault_options& f);

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; ///< 0 = an ephemeral port
    bool tls = true;        ///< a self-signed certificate made at start (see `certificate_pem`)
    std::string access_key = "AKIDEXAMPLE";
    std::string secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    unsigned threads = 1;
    std::string state_file; ///< loaded at start when it exists, saved by `stop()`; empty = in memory only
    fault_options faults;
    std::chrono::seconds ws_idle_timeout{30}; ///< websocket pings after this much silence; close if unanswered
};

/// One running emulator. Starts listening in the constructor and serves on its own threads until `stop()`
/// or destruction.
class server {
public:
    /// @throws std::runtime_error when it cannot listen or cannot load the state file.
    explicit server(server_options opts);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::uint16_t port() const;
    std::string url() const;             ///< https://127.0.0.1:PORT (or http://)
    const std::string& certificate_pem() const; ///< empty without TLS

    /// Counters as GET /_chime_local/stats returns them.
    boost::json::value stats() const;
    void set_faults(fault_options f);

    /// Drops every messaging session (of `user_arn` only, when given) without a close frame; returns how many.
    std::size_t drop_sessions(const std::string& user_arn = {});
    /// Closes every messaging session (of `user_arn` only, when given) with a close frame; returns how many.
    std::size_t close_sessions(int code, const std::string& reason, const std::string& user_arn = {});

    /// Stops accepting, closes every connection and websocket session, saves the state file.
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace chime::local
