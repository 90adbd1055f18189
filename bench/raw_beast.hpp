#pragma once
// The floor under any client: a hand-written Beast loop doing one signed JSON exchange over keep-alive
// connections, one connection per worker, and nothing else (no pool, no retries, no model types, no
// error model). chime-bench's `transport` and `calls --client raw-beast` measure the library against it.

#include <chime/auth/credentials.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace chime::bench {

struct raw_exchange {
    std::string connect_host; ///< an IP literal or a name to resolve
    std::uint16_t port = 443;
    bool tls = true;
    std::string ca_file;      ///< empty: the system's store
    bool verify = true;       ///< certificate and host-name verification (SNI for names)
    std::string host_header;  ///< Host, signed
    std::string region = "us-east-1";
    std::string path;         ///< the wire path, already URI-encoded
    std::string bearer;       ///< x-amz-chime-bearer, signed
    /// Fills the body of one call (e.g. with a fresh ClientRequestToken).
    std::function<void(std::string&)> make_body;
};

struct raw_result {
    double wall_s = 0, cpu_s = 0;
    long calls = 0, errors = 0;
    long connections = 0;
    std::vector<double> latency_ms;
};

/// `warm_calls` then `calls` POSTs spread over `connections` workers, each on a connection of its own
/// opened (and TLS-handshaken) before the measurement. Every response body is parsed as JSON; a
/// status other than 2xx counts as an error. CPU is the calling thread's when `thread_cpu`, else the
/// process's.
raw_result run_raw_beast(const raw_exchange& x, const auth::credentials& creds, long warm_calls, long calls,
                         long connections, bool thread_cpu);

} // namespace chime::bench
