#include "raw_beast.hpp"
#include "bench_util.hpp"

#include <chime/auth/sigv4.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using steady = std::chrono::steady_clock;

struct phase {
    long remaining = 0;
    long errors = 0;
    std::size_t sink = 0;
    std::vector<double>* latency_ms = nullptr;
};

struct shared {
    const raw_exchange& x;
    const auth::credentials& creds;
    asio::ssl::context* ctx;
    asio::ip::tcp::resolver::results_type where;
    phase warm, measured;
    long ready = 0;
    asio::steady_timer* gate;
    std::optional<std::string> failure;
};

template <class Stream>
asio::awaitable<void> one_call(shared& s, Stream& stream, beast::flat_buffer& buffer, const auth::signer& signer,
                               phase& p) {
    const auto t0 = steady::now();
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, s.x.path, 11};
    req.set(bhttp::field::host, s.x.host_header);
    req.set(bhttp::field::content_type, "application/json");
    req.set("x-amz-chime-bearer", s.x.bearer);
    s.x.make_body(req.body());
    const std::string hash = auth::payload_hash(req.body());
    const auth::header_field fields[] = {
        {"host", s.x.host_header}, {"content-type", "application/json"}, {"x-amz-chime-bearer", s.x.bearer}};
    const auth::signing_params params{.region = s.x.region,
                                      .service = "chime",
                                      .time = std::chrono::system_clock::now(),
                                      .add_content_sha256 = true};
    const auto sig = signer.sign({.method = "POST", .path = s.x.path, .headers = fields, .payload_hash = hash},
                                 s.creds, params);
    req.set("X-Amz-Date", sig.amz_date);
    if (!s.creds.session_token.empty())
        req.set("X-Amz-Security-Token", s.creds.session_token);
    req.set("x-amz-content-sha256", sig.content_sha256);
    req.set(bhttp::field::authorization, sig.authorization);
    req.prepare_payload();
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    bhttp::response<bhttp::string_body> res;
    co_await bhttp::async_read(stream, buffer, res, asio::use_awaitable);
    if (res.result_int() / 100 != 2) {
        if (p.errors++ == 0 && !s.failure)
            s.failure = "HTTP " + std::to_string(res.result_int()) + ": " + res.body();
    } else {
        p.sink += boost::json::parse(res.body()).as_object().size();
    }
    if (p.latency_ms)
        p.latency_ms->push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
}

template <class Stream>
asio::awaitable<void> calls_on(shared& s, Stream& stream) {
    beast::flat_buffer buffer;
    const auth::signer signer;
    while (s.warm.remaining-- > 0)
        co_await one_call(s, stream, buffer, signer, s.warm);
    ++s.ready;
    co_await s.gate->async_wait(asio::as_tuple(asio::use_awaitable)); // opened when every worker is warm
    while (s.measured.remaining-- > 0)
        co_await one_call(s, stream, buffer, signer, s.measured);
}

asio::awaitable<void> worker(shared& s) {
    const auto ex = co_await asio::this_coro::executor;
    try {
        if (s.x.tls) {
            beast::ssl_stream<beast::tcp_stream> stream(ex, *s.ctx);
            co_await beast::get_lowest_layer(stream).async_connect(s.where, asio::use_awaitable);
            beast::get_lowest_layer(stream).socket().set_option(asio::ip::tcp::no_delay(true));
            boost::system::error_code not_ip;
            (void)asio::ip::make_address(s.x.connect_host, not_ip);
            if (not_ip) { // SNI and the host-name check for names only, as the library does
                SSL_set_tlsext_host_name(stream.native_handle(), s.x.connect_host.c_str());
                stream.set_verify_callback(asio::ssl::host_name_verification(s.x.connect_host));
            }
            co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
            co_await calls_on(s, stream);
        } else {
            beast::tcp_stream stream(ex);
            co_await stream.async_connect(s.where, asio::use_awaitable);
            stream.socket().set_option(asio::ip::tcp::no_delay(true));
            co_await calls_on(s, stream);
        }
    } catch (const std::exception& e) {
        if (!s.failure)
            s.failure = e.what();
        if (s.gate->expiry() == steady::time_point::max())
            ++s.ready; // failed before the measurement: let it start (and report)
    }
}

} // namespace

raw_result run_raw_beast(const raw_exchange& x, const auth::credentials& creds, long warm_calls, long calls,
                         long connections, bool thread_cpu) {
    asio::io_context ioc(1);
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (x.verify) {
        if (x.ca_file.empty())
            ctx.set_default_verify_paths();
        else
            ctx.load_verify_file(x.ca_file);
        ctx.set_verify_mode(asio::ssl::verify_peer);
    } else {
        ctx.set_verify_mode(asio::ssl::verify_none);
    }
    asio::ip::tcp::resolver resolver(ioc);
    asio::steady_timer gate(ioc, steady::time_point::max());
    raw_result r;
    shared s{x, creds, &ctx, resolver.resolve(x.connect_host, std::to_string(x.port)), {}, {}, 0, &gate, std::nullopt};
    s.warm.remaining = std::max(warm_calls, connections);
    s.measured.remaining = calls;
    s.measured.latency_ms = &r.latency_ms;
    r.latency_ms.reserve(static_cast<std::size_t>(calls));
    for (long i = 0; i < connections; ++i)
        asio::co_spawn(ioc, worker(s), asio::detached);
    while (s.ready < connections)
        ioc.run_one();
    if (s.failure && s.warm.errors == 0) // an exception (connect, handshake, I/O), not an error status
        throw std::runtime_error("raw-beast: " + *s.failure);

    const auto wall0 = steady::now();
    const double cpu0 = cpu_seconds(thread_cpu);
    gate.expires_at(steady::time_point::min()); // cancels the waiters; marks the measurement started
    ioc.run();
    r.cpu_s = cpu_seconds(thread_cpu) - cpu0;
    r.wall_s = std::chrono::duration<double>(steady::now() - wall0).count();
    r.calls = calls;
    r.errors = s.warm.errors + s.measured.errors;
    r.connections = connections;
    if (s.failure)
        std::fprintf(stderr, "raw-beast: %ld errors, the first: %s\n", r.errors, s.failure->c_str());
    return r;
}

} // namespace chime::bench
