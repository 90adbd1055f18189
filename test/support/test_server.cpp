#include "support/test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace chime::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

const std::string& loopback_ca_file() {
    // An object, not an atexit hook: its destructor runs while the path is still alive.
    struct ca_file {
        std::string path = (std::filesystem::temp_directory_path() /
                            ("chime-loopback-ca-" + std::to_string(::getpid()) + ".pem"))
                               .string();
        ca_file() { std::ofstream(path) << loopback_identity().cert_pem; }
        ~ca_file() {
            std::error_code ec;
            std::filesystem::remove(path, ec);
        }
    };
    static const ca_file file;
    return file.path;
}

std::string_view received_request::header_value(std::string_view name) const {
    for (const auto& h : headers)
        if (http::iequals(h.name, name))
            return h.value;
    return {};
}

// Sessions point at the impl without owning it: the io_context is a member, declared first so that it
// is destroyed last, and its destruction ends every session frame.
struct test_server::impl {
    asio::io_context ioc{1};
    server_options opts;
    handler_fn handler;
    tcp::acceptor acceptor{ioc};
    std::unique_ptr<asio::ssl::context> ssl;
    std::thread thread;

    mutable std::mutex mutex;
    server_stats stats;
    std::size_t active = 0;
    std::vector<received_request> log;

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec)
                co_return;
            std::size_t id;
            {
                std::lock_guard lock(mutex);
                id = ++stats.connections;
                stats.max_concurrent_connections = std::max(stats.max_concurrent_connections, ++active);
            }
            asio::co_spawn(ioc, session(this, std::move(sock), id), asio::detached);
        }
    }

    static asio::awaitable<void> session(impl* self, tcp::socket sock, std::size_t id) {
        beast::tcp_stream stream(std::move(sock));
        if (self->ssl) {
            beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), *self->ssl);
            auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
            if (!ec) {
                if (SSL_session_reused(tls.native_handle())) {
                    std::lock_guard lock(self->mutex);
                    ++self->stats.resumed_handshakes;
                }
                co_await self->serve(tls, id);
            }
        } else {
            co_await self->serve(stream, id);
        }
        std::lock_guard lock(self->mutex);
        --self->active;
    }

    // An abortive close: the peer sees ECONNRESET rather than EOF. After bytes were written, it waits
    // 50 ms first: a RST discards what is still unsent, and the peer must have received what it was sent.
    template <class Stream>
    asio::awaitable<void> reset_after_delivery(Stream& s, const reply& r) {
        if (!r.reset)
            co_return;
        asio::steady_timer t(ioc, std::chrono::milliseconds(50));
        co_await t.async_wait(tuple_awaitable);
        abort_if_reset(s, r);
    }

    template <class Stream>
    static void abort_if_reset(Stream& s, const reply& r) {
        if (!r.reset)
            return;
        auto& sock = beast::get_lowest_layer(s).socket();
        boost::system::error_code ignored;
        sock.set_option(asio::socket_base::linger(true, 0), ignored);
        sock.close(ignored);
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& s, std::size_t id) {
        beast::flat_buffer buffer;
        for (std::size_t i = 0;; ++i) {
            auto& lowest = beast::get_lowest_layer(s);
            if (opts.idle_close.count() > 0)
                lowest.expires_after(opts.idle_close);
            else
                lowest.expires_never();
            bhttp::request<bhttp::string_body> req;
            auto [ec, n] = co_await bhttp::async_read(s, buffer, req, tuple_awaitable);
            if (ec)
                co_return;
            lowest.expires_never();
            received_request rr{
                std::string(req.method_string()), std::string(req.target()), {}, req.body(), id, i};
            for (const auto& f : req)
                rr.headers.push_back({std::string(f.name_string()), std::string(f.value())});
            const reply r = handler ? handler(rr) : reply{};
            {
                std::lock_guard lock(mutex);
                ++stats.requests;
                log.push_back(std::move(rr));
            }
            if (r.delay.count() > 0) {
                asio::steady_timer t(ioc, r.delay);
                co_await t.async_wait(tuple_awaitable);
            }
            switch (r.what) {
            case reply::kind::close_before_response:
                abort_if_reset(s, r);
                co_return;
            case reply::kind::never_respond: {
                asio::steady_timer t(ioc, std::chrono::hours(24));
                co_await t.async_wait(tuple_awaitable);
                co_return;
            }
            case reply::kind::close_mid_body: {
                const std::string head = "HTTP/1.1 " + std::to_string(r.status) +
                                         " OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                         std::to_string(r.body.size()) + "\r\n\r\n" +
                                         r.body.substr(0, r.body.size() / 2);
                co_await asio::async_write(s, asio::buffer(head), tuple_awaitable);
                co_await reset_after_delivery(s, r);
                co_return;
            }
            case reply::kind::raw:
                co_await asio::async_write(s, asio::buffer(r.raw), tuple_awaitable);
                co_await reset_after_delivery(s, r);
                co_return;
            case reply::kind::trickle: {
                const std::string head = "HTTP/1.1 " + std::to_string(r.status) +
                                         " OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                         std::to_string(r.body.size()) + "\r\n\r\n";
                auto [hec, hn] = co_await asio::async_write(s, asio::buffer(head), tuple_awaitable);
                for (std::size_t k = 0; !hec && k < r.body.size(); ++k) {
                    asio::steady_timer t(ioc, r.trickle_interval);
                    co_await t.async_wait(tuple_awaitable);
                    auto [bec, bn] = co_await asio::async_write(s, asio::buffer(r.body.data() + k, 1), tuple_awaitable);
                    if (bec)
                        co_return;
                }
                continue;
            }
            case reply::kind::respond:
                break;
            }
            bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), 11};
            res.set(bhttp::field::content_type, "application/json");
            for (const auto& h : r.headers)
                res.set(h.name, h.value);
            res.body() = r.body;
            res.keep_alive(!r.close_after && req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await bhttp::async_write(s, res, tuple_awaitable);
            if (wec || r.close_after)
                co_return;
        }
    }
};

test_server::test_server(server_options opts, handler_fn handler)
    : impl_(std::make_unique<impl>()) {
    impl_->opts = opts;
    impl_->handler = std::move(handler);
    if (opts.tls) {
        const tls_identity& id = opts.identity ? *opts.identity : loopback_identity();
        impl_->ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        impl_->ssl->use_certificate_chain(asio::buffer(id.cert_pem));
        impl_->ssl->use_private_key(asio::buffer(id.key_pem), asio::ssl::context::pem);
    }
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([self = impl_.get()] { self->ioc.run(); });
}

test_server::~test_server() {
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t test_server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::string test_server::url() const {
    return std::string(impl_->opts.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

server_stats test_server::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

std::vector<received_request> test_server::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->log;
}

} // namespace chime::test
