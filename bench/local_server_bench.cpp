// chime-bench local-server: chime-local's own cost per SendChannelMessage (SigV4 verification, routing,
// JSON, state, TLS), from its cpu_seconds and requests_total counters. chime-local runs as the separate
// program beside this one (build/bin/chime-local), so the client's CPU is not counted.
//
// `--server floor` measures, in the same harness, the floor under any server of this exchange: a
// minimal Beast TLS keep-alive server (a forked child) that reads each request and answers one fixed
// body, with nothing else (no signature check, no routing, no JSON, no state).
#include "bench_util.hpp"
#include "local_bench.hpp"
#include "support/tls_identity.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

// GET /_chime_local/stats through a plain pool: (cpu_seconds, requests_total).
std::pair<double, double> server_counters(const std::string& url, const std::string& ca) {
    asio::io_context ioc;
    net::pool_options o;
    o.tls.ca_file = ca;
    net::connection_pool pool(ioc.get_executor(), net::endpoint::parse(url).value(), o);
    http::request r;
    r.path = "/_chime_local/stats";
    r.headers = {{"Host", "127.0.0.1"}};
    auto f = asio::co_spawn(ioc, pool.exchange(r), asio::use_future);
    ioc.run();
    const auto res = f.get().value();
    const auto v = boost::json::parse(res.body);
    return {v.at("cpu_seconds").to_number<double>(), v.at("requests_total").to_number<double>()};
}

// ---- the floor: a minimal Beast TLS server ----------------------------------------------------------

namespace beast = boost::beast;
namespace bhttp = beast::http;

// One body that every call of the benchmark (its set-up included) can read: unknown members are ignored.
const std::string floor_body =
    R"({"AppInstanceArn":"arn:aws:chime:us-east-1:111122223333:app-instance/abc",)"
    R"("AppInstanceUserArn":"arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/bench",)"
    R"("ChannelArn":"arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def",)"
    R"("MessageId":"00000000-0000-4000-8000-000000000001","Status":{"Value":"SENT"}})";

struct floor_state {
    std::uint64_t requests = 0;
};

asio::awaitable<void> floor_connection(asio::ip::tcp::socket sock, asio::ssl::context& ctx, floor_state& st) {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    asio::ssl::stream<asio::ip::tcp::socket> tls(std::move(sock), ctx);
    if (auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, tuple); ec)
        co_return;
    beast::flat_buffer buffer;
    for (;;) {
        bhttp::request<bhttp::string_body> req;
        if (auto [ec, n] = co_await bhttp::async_read(tls, buffer, req, tuple); ec)
            co_return;
        std::string body = floor_body;
        if (req.target() == "/_chime_local/stats") // not counted, as in chime-local
            body = R"({"cpu_seconds":)" + std::to_string(cpu_seconds(false)) + R"(,"requests_total":)" +
                   std::to_string(st.requests) + "}";
        else
            ++st.requests;
        // Head and body in one buffer: one TLS record and one send(2), as chime-local writes them.
        std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
        if (auto [ec, n] = co_await asio::async_write(tls, asio::buffer(wire), tuple); ec)
            co_return;
    }
}

asio::awaitable<void> floor_accept(asio::ip::tcp::acceptor& acceptor, asio::ssl::context& ctx, floor_state& st) {
    for (;;) {
        auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        asio::co_spawn(acceptor.get_executor(), floor_connection(std::move(sock), ctx, st), asio::detached);
    }
}

// Runs in the forked child until SIGTERM: prints its URL first, as chime-local does.
[[noreturn]] void floor_server(const std::string& cert_file) {
    const auto& id = test::loopback_identity();
    std::ofstream(cert_file) << id.cert_pem;
    asio::io_context ioc(1);
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.use_certificate_chain(asio::buffer(id.cert_pem));
    ctx.use_private_key(asio::buffer(id.key_pem), asio::ssl::context::pem);
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    floor_state st;
    asio::co_spawn(ioc, floor_accept(acceptor, ctx, st), asio::detached);
    std::printf("floor listening on https://127.0.0.1:%u\n", unsigned(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    ioc.run();
    std::_Exit(0);
}

} // namespace

asio::awaitable<target> prepare(const client_config& cfg) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, cfg);
    msg::client m(ex, cfg);
    id::create_app_instance_request ai{.name = "bench"};
    const auto app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = "bench", .name = "bench"};
    const auto user = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    msg::create_channel_request ch{.app_instance_arn = app, .name = "bench", .chime_bearer = user};
    // Not `co_return target{... co_await ...}`: g++ 12 destroys such an aggregate twice (README).
    const auto created = co_await m.create_channel(std::move(ch));
    target t;
    t.channel = *created.channel_arn;
    t.bearer = user;
    co_return t;
}

static asio::awaitable<void> worker(msg::client& m, const target& t, long& remaining, long& errors, long& active,
                             asio::steady_timer& done) {
    while (remaining-- > 0) {
        msg::send_channel_message_request r{.channel_arn = t.channel, .content = "hello world",
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = t.bearer};
        if (auto sent = co_await m.send_channel_message(std::move(r), no_throw); !sent && ++errors == 1)
            std::fprintf(stderr, "local-server: %s\n", sent.error().message().c_str());
    }
    if (--active == 0)
        done.cancel();
}

asio::awaitable<long> run_calls(msg::client& m, const target& t, long calls, long conc) {
    const auto ex = co_await asio::this_coro::executor;
    long remaining = calls, errors = 0, active = conc;
    asio::steady_timer done(ex, asio::steady_timer::time_point::max());
    for (long i = 0; i < conc; ++i)
        asio::co_spawn(ex, worker(m, t, remaining, errors, active, done), asio::detached);
    boost::system::error_code ec;
    if (active > 0) // workers that never suspended (every call failing at once) may have finished already
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return errors;
}

target prepare_now(const client_config& cfg) {
    asio::io_context ioc(1);
    auto prepared = asio::co_spawn(ioc, prepare(cfg), asio::use_future);
    ioc.run();
    return prepared.get();
}

spawned_server::~spawned_server() {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    if (out)
        std::fclose(out);
    std::filesystem::remove_all(dir);
}

std::unique_ptr<spawned_server> spawn_server(const char* self, bool floor, const std::string& threads,
                                             const std::vector<std::string>& extra) {
    auto s = std::make_unique<spawned_server>();
    const std::string program = (std::filesystem::path(self).parent_path() / "chime-local").string();
    s->dir = std::filesystem::temp_directory_path() / ("chime-bench-local-" + std::to_string(::getpid()));
    std::filesystem::create_directories(s->dir);
    s->cert = (s->dir / "cert.pem").string();
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    s->pid = ::fork();
    if (s->pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a crashed parent (it would hold the pipe open)
        ::dup2(fds[1], 1);
        if (floor)
            floor_server(s->cert);
        const bool plain = std::ranges::find(extra, std::string("--no-tls")) != extra.end();
        std::vector<const char*> args{program.c_str(), "--threads", threads.c_str()};
        if (!plain) {
            args.push_back("--cert-out");
            args.push_back(s->cert.c_str());
        }
        for (const auto& a : extra)
            args.push_back(a.c_str());
        args.push_back(nullptr);
        ::execv(program.c_str(), const_cast<char* const*>(args.data()));
        std::_Exit(127);
    }
    ::close(fds[1]);
    s->out = ::fdopen(fds[0], "r");
    char line[256] = {};
    if (!std::fgets(line, sizeof line, s->out))
        throw std::runtime_error("could not start " + program);
    s->url = line;
    s->url = s->url.substr(s->url.find("http"));
    s->url.pop_back();
    return s;
}

client_config local_config(const spawned_server& s) {
    client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint_url = s.url;
    cfg.credentials = auth::make_static_provider({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""});
    cfg.transport.pool.tls.ca_file = s.cert;
    return cfg;
}

int local_server(const flags& f, const char* self) {
    const std::string server = f.text("server");
    if (server != "chime-local" && server != "floor")
        throw std::invalid_argument("--server is chime-local or floor, got '" + server + "'");
    const long calls = f.number("calls");
    const std::string threads = f.text("threads");
    const auto spawned = spawn_server(self, server == "floor", threads);
    const std::string& url = spawned->url;
    const std::string& cert = spawned->cert;
    const client_config cfg = local_config(*spawned);
    for (long conc : f.numbers("concurrency")) {
        const target t = prepare_now(cfg);
        asio::io_context ioc(1);
        msg::client m(ioc.get_executor(), cfg);
        auto warm = asio::co_spawn(ioc, run_calls(m, t, std::min(calls / 10 + conc, 2000L), conc), asio::use_future);
        ioc.run(); // warm-up: connections open, TLS handshakes done
        warm.get();
        ioc.restart();
        const auto before = server_counters(url, cert);
        const auto start = std::chrono::steady_clock::now();
        auto measured = asio::co_spawn(ioc, run_calls(m, t, calls, conc), asio::use_future);
        ioc.run();
        const long errors = measured.get();
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto after = server_counters(url, cert);
        const double requests = after.second - before.second;
        std::printf("local-server server=%s op=SendChannelMessage conc=%ld calls=%ld server_threads=%s wall_s=%.3f "
                    "calls_per_s=%.0f server_cpu_s=%.3f server_us_per_request=%.2f requests=%.0f errors=%ld\n",
                    server.c_str(), conc, calls, server == "floor" ? "1" : threads.c_str(), wall, double(calls) / wall, after.first - before.first,
                    (after.first - before.first) * 1e6 / requests, requests, errors);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace chime::bench
