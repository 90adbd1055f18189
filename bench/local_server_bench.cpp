// chime-bench local-server: chime-local's own cost per SendChannelMessage (SigV4 verification, routing,
// JSON, state, TLS), from its cpu_seconds and requests_total counters. chime-local runs as the separate
// program beside this one (build/bin/chime-local), so the client's CPU is not counted.
#include "bench_util.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

struct target {
    std::string channel, bearer;
};

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

asio::awaitable<void> worker(msg::client& m, const target& t, long& remaining, long& errors, long& active,
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

} // namespace

int local_server(const flags& f, const char* self) {
    const long calls = f.number("calls");
    const std::string program = (std::filesystem::path(self).parent_path() / "chime-local").string();
    const auto dir = std::filesystem::temp_directory_path() / ("chime-bench-local-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string cert = (dir / "cert.pem").string();
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    const std::string threads = f.text("threads");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::execl(program.c_str(), program.c_str(), "--cert-out", cert.c_str(), "--threads", threads.c_str(), nullptr);
        std::_Exit(127);
    }
    ::close(fds[1]);
    FILE* out = ::fdopen(fds[0], "r");
    char line[256] = {};
    if (!std::fgets(line, sizeof line, out))
        throw std::runtime_error("could not start " + program);
    std::string url(line);
    url = url.substr(url.find("http"));
    url.pop_back();

    client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint_url = url;
    cfg.credentials = auth::make_static_provider({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""});
    cfg.transport.pool.tls.ca_file = cert;
    for (long conc : f.numbers("concurrency")) {
        asio::io_context ioc(1);
        auto prepared = asio::co_spawn(ioc, prepare(cfg), asio::use_future);
        ioc.run();
        const target t = prepared.get();
        ioc.restart();
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
        std::printf("local-server op=SendChannelMessage conc=%ld calls=%ld server_threads=%s wall_s=%.3f "
                    "calls_per_s=%.0f server_cpu_s=%.3f server_us_per_request=%.2f requests=%.0f errors=%ld\n",
                    conc, calls, threads.c_str(), wall, double(calls) / wall, after.first - before.first,
                    (after.first - before.first) * 1e6 / requests, requests, errors);
        std::fflush(stdout);
    }
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    std::fclose(out);
    std::filesystem::remove_all(dir);
    return 0;
}

} // namespace chime::bench
