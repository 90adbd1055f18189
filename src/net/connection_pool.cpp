#include <chime/net/connection_pool.hpp>

#include "net/tls_context.hpp"
#include "util/bytes.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <sys/socket.h>

namespace chime::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using sys_error = boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

struct connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    steady::time_point created, last_used;

    beast::tcp_stream& stream() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    // `orderly`: we close it while idle, by choice (expired, or the pool closing). OpenSSL marks the
    // last session of a connection freed without a shutdown as not resumable, and that session is
    // the newest ticket the pool holds for the next connection; an orderly close keeps it usable.
    // A connection that failed is closed without, so that its session is dropped.
    void close(bool orderly = false) {
        if (orderly && tls)
            SSL_set_shutdown(tls->native_handle(), SSL_SENT_SHUTDOWN);
        sys_error ignored;
        stream().socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream().socket().close(ignored);
    }

    // Cheap check before reusing an idle connection. EOF means the server closed it. Unread bytes on a
    // plain connection are a protocol error; on TLS they are usually TLS 1.3 session tickets sent
    // after the handshake, so they do not disqualify it (a close_notify is caught by the replay).
    bool peer_closed() {
        char c;
        const auto n = ::recv(stream().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0)
            return true;
        if (n > 0)
            return !tls;
        return errno != EAGAIN && errno != EWOULDBLOCK;
    }
};

using connection_ptr = std::unique_ptr<connection>;

// A caller parked until a connection (or a permit to open one: null) is handed to it.
struct waiter {
    virtual ~waiter() = default;
    virtual void complete(sys_error ec, connection_ptr c) = 0;
    bool done = false; // guarded by the pool mutex
};

template <class Handler>
struct waiter_impl final : waiter {
    explicit waiter_impl(Handler h)
        : handler(std::move(h)) {}
    void complete(sys_error ec, connection_ptr c) override {
        auto ex = asio::get_associated_executor(handler);
        asio::post(ex, asio::append(std::move(handler), ec, std::move(c)));
    }
    Handler handler;
};

bool is_drop(const sys_error& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated ||
           ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
}

int ssl_session_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// A set of bytes looked up in a table: find_first_of calls memchr once per byte of the text, which was
// the request path's largest single cost.
struct byte_set {
    bool member[256] = {};
    constexpr explicit byte_set(std::string_view bytes) {
        for (const char c : bytes)
            member[static_cast<unsigned char>(c)] = true;
    }
    bool any_in(std::string_view s) const noexcept {
        for (const char c : s)
            if (member[static_cast<unsigned char>(c)])
                return true;
        return false;
    }
};

// True when `s` holds CR, LF or NUL, the bytes a header value must not carry. The values run to hundreds
// of bytes (the Authorization, ARNs) and every header is checked on every send: a first pass, eight bytes
// at a time, looks for any byte up to CR, which the usual value (no tab either) does not have.
bool has_line_break(std::string_view s) noexcept {
    return chime::detail::any_byte_below(s, '\r' + 1) &&
           std::ranges::any_of(s, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}
constexpr byte_set not_in_target(std::string_view(" \r\n\0", 4));         // in the path and the query
constexpr byte_set not_in_name(std::string_view(": \t\r\n\0", 6));       // in header names

} // namespace

struct detail::pool_state {
    asio::any_io_executor ex;
    endpoint ep;
    pool_options opts;
    std::unique_ptr<asio::ssl::context> ssl;

    mutable std::mutex mutex;
    std::vector<connection_ptr> idle; // back = most recently used
    std::size_t open = 0;             // idle + leased + being opened; bounded by max_connections
    std::deque<std::shared_ptr<waiter>> waiters;
    std::size_t waiting = 0; // the waiters not done yet (cancelled ones stay in the deque until reached)
    bool closed = false;
    std::vector<tcp::endpoint> addresses;
    steady::time_point addresses_expiry{};
    // Resumable sessions for this endpoint, newest at the back. Each is handed to one new connection
    // only: TLS 1.3 sessions are single-use, and OpenSSL mutates a session while a connection uses it,
    // so sharing one between concurrent connections races.
    std::deque<std::shared_ptr<SSL_SESSION>> sessions;
    static constexpr std::size_t max_sessions = 16;

    std::atomic<std::uint64_t> opened{0}, full{0}, resumed{0}, reuses{0}, waits{0}, stale{0}, timeouts{0},
        evicted_idle{0}, evicted_lifetime{0};

    pool_state(asio::any_io_executor e, endpoint p, pool_options o)
        : ex(std::move(e))
        , ep(std::move(p))
        , opts(std::move(o)) {
        if (opts.max_connections == 0)
            throw exception(errc::invalid_config_value, "pool_options: max_connections must be at least 1");
        if (ep.tls)
            ssl = make_tls_context();
    }

    std::unique_ptr<asio::ssl::context> make_tls_context() {
        auto ctx = detail::make_client_tls_context(opts.tls);
        SSL_CTX* native = ctx->native_handle();
        // Client-side session cache: OpenSSL hands us each new session (TLS 1.3 tickets arrive after
        // the handshake); we keep the latest per pool and offer it on the next connection.
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(native, [](SSL* s, SSL_SESSION* sess) -> int {
            auto* st = static_cast<pool_state*>(SSL_get_ex_data(s, ssl_session_index()));
            if (!st)
                return 0;
            std::lock_guard lock(st->mutex);
            st->sessions.emplace_back(sess, SSL_SESSION_free);
            if (st->sessions.size() > max_sessions)
                st->sessions.pop_front();
            return 1; // we own the reference now
        });
        return ctx;
    }

    bool expired(const connection& c, steady::time_point now) {
        if (now - c.last_used >= opts.idle_timeout) {
            ++evicted_idle;
            return true;
        }
        if (opts.max_lifetime.count() > 0 && now - c.created >= opts.max_lifetime) {
            ++evicted_lifetime;
            return true;
        }
        return false;
    }

    // Gives a freed slot (a connection, or a permit when `c` is null) to the first waiter. Called with
    // the lock held; returns the waiter to complete after unlocking, or null.
    std::shared_ptr<waiter> take_waiter() {
        while (!waiters.empty()) {
            auto w = std::move(waiters.front());
            waiters.pop_front();
            if (!w->done) {
                w->done = true;
                --waiting;
                return w;
            }
        }
        return nullptr;
    }

    void release(connection_ptr c) {
        c->last_used = steady::now();
        std::unique_lock lock(mutex);
        if (closed) {
            --open;
            lock.unlock();
            c->close(/*orderly=*/true); // a complete exchange: its session is good
            return;
        }
        if (auto w = take_waiter()) {
            lock.unlock();
            w->complete({}, std::move(c));
            return;
        }
        idle.push_back(std::move(c));
    }

    // The slot of a connection that is gone (closed, failed, or never opened) goes to a waiter as a
    // permit, or back to the pool.
    void return_slot() {
        std::unique_lock lock(mutex);
        if (!closed) {
            if (auto w = take_waiter()) {
                lock.unlock();
                w->complete({}, nullptr);
                return;
            }
        }
        --open;
    }

    void discard(connection_ptr c) {
        if (c)
            c->close();
        return_slot();
    }
};

namespace {

struct lease {
    std::shared_ptr<detail::pool_state> st;
    connection_ptr conn;
    bool fresh = false;

    lease(std::shared_ptr<detail::pool_state> s, connection_ptr c, bool f)
        : st(std::move(s))
        , conn(std::move(c))
        , fresh(f) {}
    lease(lease&&) = default;
    lease& operator=(lease&&) = delete;
    ~lease() {
        if (conn) // dropped mid-exchange: never reused
            st->discard(std::move(conn));
    }
    void release() { st->release(std::move(conn)); }
    void discard() { st->discard(std::move(conn)); }
};

error transport_error(errc code, const endpoint& ep, std::string_view what, const sys_error& ec = {}) {
    std::string msg = std::string(what) + " " + ep.origin();
    if (ec)
        msg += ": " + ec.message();
    return error(make_error_code(code), std::move(msg));
}

using state_ptr = std::shared_ptr<detail::pool_state>;

constexpr auto probe_after_idle = std::chrono::milliseconds(250);

asio::awaitable<std::tuple<sys_error, connection_ptr>> wait_for_connection(state_ptr st) {
    // Named, not a temporary inside co_await: g++ 12 double-destroys capturing lambda temporaries.
    auto park = [st](auto handler) {
        using impl = waiter_impl<std::decay_t<decltype(handler)>>;
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto w = std::make_shared<impl>(std::move(handler));
        std::unique_lock lock(st->mutex);
        if (st->closed) {
            w->done = true;
            lock.unlock();
            w->complete(make_error_code(errc::pool_closed), nullptr);
            return;
        }
        if (slot.is_connected()) {
            slot.assign([st, weak = std::weak_ptr<waiter>(w)](asio::cancellation_type) {
                auto wp = weak.lock();
                if (!wp)
                    return;
                std::unique_lock l(st->mutex);
                if (wp->done)
                    return;
                wp->done = true; // stays in the deque; take_waiter skips it
                --st->waiting;
                l.unlock();
                wp->complete(asio::error::operation_aborted, nullptr);
            });
        }
        st->waiters.push_back(std::move(w));
        ++st->waiting;
    };
    co_return co_await asio::async_initiate<decltype(tuple_awaitable), void(sys_error, connection_ptr)>(
        std::move(park), tuple_awaitable);
}

// "host:port" or "[v6]:port" into its parts.
bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        return false;
    std::string_view h = text.substr(0, colon);
    if (h.front() == '[') {
        if (h.back() != ']')
            return false;
        h = h.substr(1, h.size() - 2);
    }
    unsigned value = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9' || (value = value * 10 + unsigned(c - '0')) > 65535)
            return false;
    }
    if (value == 0)
        return false;
    host = std::string(h);
    port = static_cast<std::uint16_t>(value);
    return true;
}

asio::awaitable<result<std::vector<tcp::endpoint>>> resolve(state_ptr st, steady::time_point deadline) {
    {
        std::lock_guard lock(st->mutex);
        if (!st->addresses.empty() && steady::now() < st->addresses_expiry)
            co_return st->addresses;
    }
    std::vector<tcp::endpoint> out;
    std::string host = st->ep.host;
    std::uint16_t port = st->ep.port;
    if (!st->opts.connect_to.empty() && !split_host_port(st->opts.connect_to, host, port))
        co_return transport_error(errc::resolve_failed, st->ep,
                                  "pool_options::connect_to '" + st->opts.connect_to + "' is not host:port");
    sys_error ec;
    const auto ip = asio::ip::make_address(host, ec);
    if (!ec) {
        out.emplace_back(ip, port);
    } else {
        using namespace asio::experimental::awaitable_operators;
        tcp::resolver resolver(st->ex);
        asio::steady_timer timer(st->ex, deadline);
        auto outcome =
            co_await (resolver.async_resolve(host, std::to_string(port), tuple_awaitable) ||
                      timer.async_wait(tuple_awaitable));
        if (outcome.index() == 1) {
            ++st->timeouts;
            co_return transport_error(errc::connect_timeout, st->ep, "timed out resolving");
        }
        auto [rec, results] = std::get<0>(std::move(outcome));
        if (rec)
            co_return transport_error(rec == asio::error::operation_aborted ? errc::cancelled
                                                                            : errc::resolve_failed,
                                      st->ep, "cannot resolve", rec);
        for (const auto& r : results)
            out.push_back(r.endpoint());
    }
    std::lock_guard lock(st->mutex);
    st->addresses = out;
    st->addresses_expiry = steady::now() + st->opts.dns_ttl;
    co_return out;
}

error handshake_error(const detail::pool_state& st, SSL* ssl, const sys_error& ec) {
    if (ec == beast::error::timeout)
        return transport_error(errc::connect_timeout, st.ep, "TLS handshake timed out with");
    if (ec == asio::error::operation_aborted)
        return transport_error(errc::cancelled, st.ep, "TLS handshake cancelled with");
    const long verify = SSL_get_verify_result(ssl);
    if (ec.category() == asio::error::get_ssl_category() &&
        (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED ||
         verify != X509_V_OK)) {
        std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : "host name mismatch";
        return error(make_error_code(errc::tls_verify_failed),
                     "TLS certificate verification failed for " + st.ep.origin() + ": " + why);
    }
    return transport_error(errc::tls_handshake_failed, st.ep, "TLS handshake failed with", ec);
}

asio::awaitable<result<connection_ptr>> connect_new(state_ptr st) {
    const auto deadline = steady::now() + st->opts.connect_timeout;
    auto addresses = co_await resolve(st, deadline);
    if (!addresses)
        co_return addresses.error();

    auto c = std::make_unique<connection>();
    if (st->ssl)
        c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(st->ex, *st->ssl);
    else
        c->plain = std::make_unique<beast::tcp_stream>(st->ex);
    c->stream().expires_at(deadline);
    auto [ec, peer] = co_await c->stream().async_connect(*addresses, tuple_awaitable);
    if (ec) {
        if (ec == beast::error::timeout) {
            ++st->timeouts;
            co_return transport_error(errc::connect_timeout, st->ep, "timed out connecting to");
        }
        co_return transport_error(ec == asio::error::operation_aborted ? errc::cancelled
                                                                       : errc::connect_failed,
                                  st->ep, "cannot connect to", ec);
    }
    sys_error ignored;
    c->stream().socket().set_option(tcp::no_delay(true), ignored);

    if (c->tls) {
        SSL* ssl = c->tls->native_handle();
        if (!st->ep.is_local_or_ip() || st->ep.host == "localhost")
            SSL_set_tlsext_host_name(ssl, st->ep.host.c_str());
        if (st->opts.tls.verify)
            c->tls->set_verify_callback(asio::ssl::host_name_verification(st->ep.host));
        SSL_set_ex_data(ssl, ssl_session_index(), st.get());
        std::shared_ptr<SSL_SESSION> resume;
        {
            std::lock_guard lock(st->mutex);
            if (!st->sessions.empty()) {
                resume = std::move(st->sessions.back());
                st->sessions.pop_back();
            }
        }
        if (resume)
            SSL_set_session(ssl, resume.get()); // the SSL takes its own reference
        auto [hec] = co_await c->tls->async_handshake(asio::ssl::stream_base::client, tuple_awaitable);
        if (hec) {
            if (hec == beast::error::timeout)
                ++st->timeouts;
            co_return handshake_error(*st, ssl, hec);
        }
        ++(SSL_session_reused(ssl) ? st->resumed : st->full);
    }
    c->stream().expires_never();
    c->created = c->last_used = steady::now();
    ++st->opened;
    co_return c;
}

// What a caller can have at once: an idle connection, or a permit to open one (`permit`), or neither,
// when it must wait.
struct pick {
    connection_ptr conn;
    bool permit = false;
};

// A connection about to be reused: probed if it sat idle a while (a syscall; a busy one that the server
// closed under us is caught by the replay in exchange()), and counted as a reuse if it is kept.
void vet_for_reuse(detail::pool_state& st, pick& p, steady::time_point now) {
    if (!p.conn)
        return;
    if (now - p.conn->last_used >= probe_after_idle && p.conn->peer_closed()) {
        p.conn->close(); // keep its slot: a new connection is opened in its place
        p.conn.reset();
        p.permit = true;
        return;
    }
    ++st.reuses;
}

// Idle connections past their timeout or lifetime are retired on the way.
result<pick> pick_now(detail::pool_state& st, bool fresh_only) {
    pick p;
    std::vector<connection_ptr> evicted;
    const auto now = steady::now();
    {
        std::lock_guard lock(st.mutex);
        if (st.closed)
            return transport_error(errc::pool_closed, st.ep, "connection pool closed for");
        // Oldest first: retire every idle connection past its idle timeout or lifetime.
        while (!st.idle.empty() && st.expired(*st.idle.front(), now)) {
            evicted.push_back(std::move(st.idle.front()));
            st.idle.erase(st.idle.begin());
            --st.open;
        }
        if (!fresh_only && !st.idle.empty()) {
            p.conn = std::move(st.idle.back()); // most recently used: the most likely to be alive
            st.idle.pop_back();
        } else if (st.open < st.opts.max_connections) {
            ++st.open;
            p.permit = true;
        }
    }
    for (auto& e : evicted)
        e->close(/*orderly=*/true);
    vet_for_reuse(st, p, now);
    return p;
}

// The rest of acquiring, after pick_now() found no idle connection: wait for one (or for a permit),
// then open a connection on a permit.
asio::awaitable<result<lease>> acquire(state_ptr st, pick p) {
    if (!p.permit) {
        ++st->waits;
        auto [ec, granted] = co_await wait_for_connection(st);
        if (ec == asio::error::operation_aborted)
            co_return transport_error(errc::cancelled, st->ep, "cancelled while waiting for a connection to");
        if (ec)
            co_return transport_error(errc::pool_closed, st->ep, "connection pool closed for");
        p.conn = std::move(granted);
        p.permit = !p.conn;
        vet_for_reuse(*st, p, steady::now());
        if (p.conn)
            co_return lease(st, std::move(p.conn), false);
    }
    auto fresh = co_await connect_new(st);
    if (!fresh) {
        st->return_slot();
        co_return fresh.error();
    }
    co_return lease(st, std::move(*fresh), true);
}

// Parses a response straight into an http::response: no Beast header container to copy it out of.
class response_reader final : public bhttp::basic_parser<false> {
public:
    http::response out;

private:
    void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int, sys_error&) override {}
    void on_response_impl(int code, beast::string_view, int, sys_error&) override {
        out.status = static_cast<unsigned>(code);
        out.headers.reserve(8);
    }
    void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, sys_error&) override {
        out.headers.push_back({std::string(name), std::string(value)});
    }
    void on_header_impl(sys_error&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, sys_error&) override {
        if (length) // within the body limit: the parser checked it first
            out.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(beast::string_view body, sys_error&) override {
        out.body.append(body.data(), body.size());
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, sys_error&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, sys_error&) override {
        out.body.append(body.data(), body.size());
        return body.size();
    }
    void on_finish_impl(sys_error&) override {}
};

// Writes the request, then reads the response, as one asynchronous operation: the awaiting coroutine
// resumes once per exchange, and no coroutine frame is made for each half.
template <class Stream>
struct write_then_read {
    Stream& stream;
    beast::flat_buffer& buffer;
    const std::string& wire;
    response_reader& reader;
    exchange_info& info;
    enum { start, writing, reading } state = start;

    template <class Self>
    void operator()(Self& self, sys_error ec = {}, std::size_t n = 0) {
        switch (state) {
        case start:
            state = writing;
            asio::async_write(stream, asio::buffer(wire), std::move(self));
            return;
        case writing:
            info.bytes_sent = n;
            if (ec)
                return self.complete(ec);
            state = reading;
            bhttp::async_read(stream, buffer, reader, std::move(self));
            return;
        case reading:
            info.bytes_received = n;
            return self.complete(ec);
        }
    }
};

template <class Stream>
asio::awaitable<std::tuple<sys_error>> write_and_read(Stream& s, connection& c, const std::string& wire,
                                                      response_reader& reader, exchange_info& info) {
    return asio::async_compose<decltype(tuple_awaitable), void(sys_error)>(
        write_then_read<Stream>{s, c.buffer, wire, reader, info}, tuple_awaitable, s);
}

error exchange_error(detail::pool_state& st, const sys_error& ec) {
    if (ec == beast::error::timeout) {
        ++st.timeouts;
        return transport_error(errc::request_timeout, st.ep, "no complete response in time from");
    }
    if (ec == asio::error::operation_aborted)
        return transport_error(errc::cancelled, st.ep, "request cancelled to");
    if (ec == bhttp::error::body_limit)
        return error(make_error_code(errc::body_too_large),
                     "response from " + st.ep.origin() + " exceeds the body limit of " +
                         std::to_string(st.opts.max_body_size) + " bytes");
    if (is_drop(ec))
        return transport_error(errc::connection_reset, st.ep,
                               "connection closed before a complete response from", ec);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
        return transport_error(errc::bad_response, st.ep, "malformed HTTP response from", ec);
    return transport_error(errc::connection_reset, st.ep, "connection failed with", ec);
}

} // namespace

connection_pool::connection_pool(asio::any_io_executor ex, endpoint ep, pool_options opts)
    : state_(std::make_shared<detail::pool_state>(std::move(ex), std::move(ep), std::move(opts))) {}

connection_pool::~connection_pool() {
    close();
}

const endpoint& connection_pool::target() const noexcept {
    return state_->ep;
}

void connection_pool::close() {
    std::vector<connection_ptr> idle;
    std::vector<std::shared_ptr<waiter>> waiters;
    {
        std::lock_guard lock(state_->mutex);
        state_->closed = true;
        state_->open -= state_->idle.size();
        idle.swap(state_->idle);
        while (auto w = state_->take_waiter())
            waiters.push_back(std::move(w));
    }
    for (auto& c : idle)
        c->close(/*orderly=*/true);
    for (auto& w : waiters)
        w->complete(make_error_code(errc::pool_closed), nullptr);
}

pool_counters connection_pool::counters() const {
    const detail::pool_state& s = *state_;
    pool_counters c{s.opened,   s.full,         s.resumed,          s.reuses, s.waits, s.stale,
                    s.timeouts, s.evicted_idle, s.evicted_lifetime, 0,        0,       0};
    std::lock_guard lock(s.mutex);
    c.open = s.open;
    c.idle = s.idle.size();
    c.waiting = s.waiting; // kept as a count: a fan-out job may poll this with 10,000 callers parked
    return c;
}

asio::awaitable<result<http::response>> connection_pool::exchange(const http::request& req,
                                                                  exchange_info* info) {
    return exchange(req, std::span<const http::header_view>(), info);
}

asio::awaitable<result<http::response>> connection_pool::exchange(const http::request& req,
                                                                  std::span<const http::header_view> extra,
                                                                  exchange_info* info) {
    auto st = state_;
    // The request is written as one contiguous buffer: cheaper than a serializer, and simple because
    // every header was checked for CR/LF first.
    if (req.method.empty() || not_in_target.any_in(req.method) || not_in_target.any_in(req.path) ||
        not_in_target.any_in(req.query))
        co_return error(make_error_code(errc::invalid_request),
                        "request method or target contains a space or CR/LF");
    std::size_t size = req.method.size() + req.path.size() + req.query.size() + req.body.size() + 64;
    const auto check = [&size](std::string_view name, std::string_view value) -> std::optional<error> {
        if (name.empty() || not_in_name.any_in(name) || has_line_break(value))
            return error(make_error_code(errc::invalid_request),
                         "header '" + std::string(name) + "' has an invalid name or contains CR/LF");
        if (http::iequals(name, "Content-Length") || http::iequals(name, "Transfer-Encoding"))
            return error(make_error_code(errc::invalid_request),
                         "header '" + std::string(name) + "' is set by the connection pool from the body");
        size += name.size() + value.size() + 4;
        return std::nullopt;
    };
    for (const auto& h : req.headers)
        if (auto bad = check(h.name, h.value))
            co_return std::move(*bad);
    for (const auto& h : extra)
        if (auto bad = check(h.name, h.value))
            co_return std::move(*bad);
    // (string_view literals: appending a `const char*` would measure it with strlen on every call)
    using namespace std::string_view_literals;
    std::string wire;
    wire.reserve(size);
    wire.append(req.method).append(" "sv).append(req.path.empty() ? "/"sv : std::string_view(req.path));
    if (!req.query.empty())
        wire.append("?"sv).append(req.query);
    wire.append(" HTTP/1.1\r\n"sv);
    for (const auto& h : req.headers)
        wire.append(h.name).append(": "sv).append(h.value).append("\r\n"sv);
    for (const auto& h : extra)
        wire.append(h.name).append(": "sv).append(h.value).append("\r\n"sv);
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
        wire.append("Content-Length: "sv).append(std::to_string(req.body.size())).append("\r\n"sv);
    wire.append("\r\n"sv).append(req.body);

    try {
        for (int attempt = 0;; ++attempt) {
            // Most calls find an idle connection: that path takes no coroutine frame.
            auto now = pick_now(*st, attempt > 0);
            if (!now)
                co_return now.error();
            std::optional<lease> held;
            if (now->conn) {
                held.emplace(st, std::move(now->conn), false);
            } else {
                auto got = co_await acquire(st, std::move(*now));
                if (!got)
                    co_return got.error();
                held.emplace(std::move(*got));
            }
            lease& l = *held;
            exchange_info local{.reused_connection = !l.fresh};

            response_reader reader;
            reader.body_limit(st->opts.max_body_size);
            connection& c = *l.conn;
            c.stream().expires_after(st->opts.request_timeout);
            auto io = c.tls ? write_and_read(*c.tls, c, wire, reader, local)
                            : write_and_read(*c.plain, c, wire, reader, local);
            const auto [ec] = co_await std::move(io);
            const bool got_bytes = reader.got_some() || c.buffer.size() > 0;
            local.response_started = got_bytes;
            if (ec) {
                l.discard();
                if (!l.fresh && attempt == 0 && !got_bytes && is_drop(ec)) {
                    ++st->stale; // the server had closed this keep-alive connection: replay once
                    continue;
                }
                if (info)
                    *info = local; // what was sent and whether the server answered at all
                co_return exchange_error(*st, ec);
            }
            c.stream().expires_never();

            const bool keep_alive = reader.keep_alive();
            http::response out = std::move(reader.out);
            if (keep_alive && c.buffer.size() == 0)
                l.release();
            else
                l.discard();
            if (info)
                *info = local;
            co_return out;
        }
    } catch (const boost::system::system_error& e) {
        // Cancellation delivered between operations surfaces as an exception from the next co_await.
        co_return transport_error(e.code() == asio::error::operation_aborted ? errc::cancelled
                                                                             : errc::connection_reset,
                                  st->ep, "request failed to", e.code());
    }
}

asio::awaitable<result<std::size_t>> connection_pool::warm_up(std::size_t n) {
    auto st = state_;
    std::size_t opened = 0;
    for (;;) {
        {
            std::lock_guard lock(st->mutex);
            if (st->closed)
                co_return transport_error(errc::pool_closed, st->ep, "connection pool closed for");
            if (st->idle.size() >= n || st->open >= st->opts.max_connections)
                co_return opened;
            ++st->open;
        }
        auto c = co_await connect_new(st);
        if (!c) {
            st->return_slot();
            co_return c.error();
        }
        st->release(std::move(*c));
        ++opened;
    }
}

} // namespace chime::net
