#pragma once
/// @file
/// A pool of keep-alive HTTP/1.1 connections to one endpoint, over TLS (`https`) or plain TCP (`http`).
///
/// Threading: the pool may be used from coroutines on any executors, including a multi-threaded
/// `io_context`. Its bookkeeping is guarded by a mutex that is never held across I/O; a connection is
/// used by one exchange at a time; every completion runs on the awaiting coroutine's executor.
/// Cancellation: `exchange` and waiting for a connection honour the awaiting operation's cancellation
/// slot (e.g. `co_await (pool.exchange(r) || timer.async_wait(use_awaitable))`); a connection
/// interrupted mid-exchange is closed, never reused.

#include <chime/http/message.hpp>
#include <chime/net/endpoint.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace chime::net {

using namespace std::chrono_literals;

namespace detail {
struct pool_state;
}

/// TLS settings. Verification of the certificate chain and of the host name is on by default.
struct tls_options {
    bool verify = true;       ///< false only for local testing: accepts any certificate
    std::string ca_file;      ///< PEM bundle to trust instead of the system store
    std::string ca_directory; ///< hashed directory of CA certificates, in addition
};

struct pool_options {
    std::size_t max_connections = 64;                ///< per endpoint; further callers wait in FIFO order
    std::chrono::milliseconds connect_timeout = 10s; ///< resolve + TCP connect + TLS handshake
    std::chrono::milliseconds request_timeout = 30s; ///< write the request + read the whole response
    std::chrono::milliseconds idle_timeout = 50s;    ///< an idle connection older than this is not reused
    std::chrono::milliseconds max_lifetime = 0ms;    ///< connections are retired after this; 0 = no limit
    std::chrono::milliseconds dns_ttl = 30s;         ///< how long resolved addresses are reused
    std::size_t max_body_size = 16 * 1024 * 1024;    ///< larger responses fail with errc::body_too_large
    tls_options tls;
    /// "host:port" (IPv6 in brackets) to connect to instead of the endpoint, as curl's --connect-to:
    /// Host, SNI and the certificate's name check still use the endpoint. For emulators and tests.
    std::string connect_to;
};

/// Cumulative counters; `open`, `idle` and `waiting` are current values.
struct pool_counters {
    std::uint64_t connections_opened = 0;
    std::uint64_t tls_handshakes_full = 0;
    std::uint64_t tls_handshakes_resumed = 0;
    std::uint64_t reuses = 0;
    std::uint64_t waits = 0;
    std::uint64_t stale_replays = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t evicted_idle = 0;
    std::uint64_t evicted_lifetime = 0;
    std::uint64_t open = 0;
    std::uint64_t idle = 0;
    std::uint64_t waiting = 0;
};

/// What one exchange cost, for metrics.
struct exchange_info {
    bool reused_connection = false;
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
    bool response_started = false; ///< some of the response arrived (the server saw the request)
};

class connection_pool {
public:
    /// Sockets are created on `ex`. The pool must outlive the exchanges running on it.
    connection_pool(boost::asio::any_io_executor ex, endpoint ep, pool_options opts = {});
    ~connection_pool();
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;

    /// Sends `req` (which must carry every header, Host included) on a pooled connection and reads
    /// the response. A reused connection that turns out closed before any byte of the response
    /// arrived is replaced and the request sent once more on a fresh connection.
    /// Completes with the response for any HTTP status, or a transport error.
    boost::asio::awaitable<result<http::response>> exchange(const http::request& req,
                                                            exchange_info* info = nullptr);
    /// As above, with `extra` headers sent after the request's own and checked the same way. The
    /// views (and `req`) must stay valid until the exchange completes.
    boost::asio::awaitable<result<http::response>> exchange(const http::request& req,
                                                            std::span<const http::header_view> extra,
                                                            exchange_info* info = nullptr);

    /// Opens connections until `n` are idle (or the limit is reached), e.g. ahead of a burst.
    boost::asio::awaitable<result<std::size_t>> warm_up(std::size_t n);

    /// Closes idle connections, fails waiters with errc::pool_closed and makes later calls fail the same
    /// way. Exchanges in flight finish; their connections are then closed.
    void close();

    pool_counters counters() const;
    const endpoint& target() const noexcept;

private:
    std::shared_ptr<detail::pool_state> state_;
};

} // namespace chime::net
