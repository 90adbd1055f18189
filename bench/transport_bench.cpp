// chime-bench transport: the library's request path (credentials, SigV4, pool, exchange, error model)
// against a local keep-alive TLS server, beside a hand-written Beast loop that does the same signed
// exchange with one connection per worker and nothing else. Both parse the JSON response. The client
// runs on this thread; the server on its own, so RUSAGE_THREAD measures the client alone.
#include "bench_util.hpp"
#include "raw_beast.hpp"
#include "support/test_server.hpp"

#include <chime/transport.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace chime::bench {
namespace {
namespace asio = boost::asio;

const auth::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "bench"};
const std::string bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/alice";
const std::string target_path =
    "/channels/" + uri_encode("arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def") +
    "/messages";
const std::string request_body =
    R"({"Content":"hello world","Type":"STANDARD","Persistence":"PERSISTENT","ClientRequestToken":"9f8a2c1e-1111-4222-8333-944445555666"})";
const std::string response_body =
    R"({"ChannelArn":"arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def","MessageId":"8d7a1c0e6f5b4a3c9e2d1f0a9b8c7d6e","Status":{"Value":"SENT"}})";

struct measurement {
    double wall = 0;
    double cpu = 0;
    std::uint64_t connections = 0;
    long errors = 0;
};

struct counters {
    long remaining = 0;
    long errors = 0;
    std::size_t sink = 0;
};

// ---- the library path ----------------------------------------------------------------------------

asio::awaitable<void> library_worker(chime::transport& t, const net::endpoint& ep, counters& c) {
    const signing_scope scope("us-east-1");
    while (c.remaining-- > 0) {
        http::request req;
        req.method = "POST";
        req.path = target_path;
        req.headers.push_back({"x-amz-chime-bearer", bearer});
        req.body = request_body;
        auto r = co_await t.send(ep, std::move(req), scope, "SendChannelMessage");
        if (!r) {
            ++c.errors;
            continue;
        }
        c.sink += boost::json::parse(r->body).as_object().size();
    }
}

measurement run_library(const test::test_server& server, const std::string& ca, long calls, long conc,
                        std::size_t max_connections) {
    asio::io_context ioc(1);
    transport_options opts;
    opts.pool.max_connections = max_connections;
    opts.pool.tls.ca_file = ca;
    chime::transport t(ioc.get_executor(), auth::make_static_provider(creds), opts);
    const net::endpoint ep = net::endpoint::parse(server.url()).value();

    counters warm{std::max(conc * 4, 1000L)};
    for (long i = 0; i < conc; ++i)
        asio::co_spawn(ioc, library_worker(t, ep, warm), asio::detached);
    ioc.run();

    counters measured{calls};
    ioc.restart();
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds(true);
    for (long i = 0; i < conc; ++i)
        asio::co_spawn(ioc, library_worker(t, ep, measured), asio::detached);
    ioc.run();
    measurement m;
    m.cpu = cpu_seconds(true) - cpu0;
    m.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    m.connections = t.pool(ep).counters().connections_opened;
    m.errors = measured.errors + warm.errors;
    return m;
}

// ---- the hand-written baseline (raw_beast.cpp) ------------------------------------------------------

measurement run_baseline(const test::test_server& server, const std::string& ca, long calls, long conc) {
    raw_exchange x;
    x.connect_host = "127.0.0.1";
    x.port = server.port();
    x.ca_file = ca;
    x.host_header = "127.0.0.1:" + std::to_string(server.port());
    x.path = target_path;
    x.bearer = bearer;
    x.make_body = [](std::string& body) { body = request_body; };
    const raw_result r = run_raw_beast(x, creds, std::max(conc * 4, 1000L), calls, conc, true);
    measurement m;
    m.cpu = r.cpu_s;
    m.wall = r.wall_s;
    m.connections = static_cast<std::uint64_t>(r.connections);
    m.errors = r.errors;
    return m;
}

void print(const char* name, long conc, long calls, const measurement& m, double ratio) {
    std::printf("%s conc=%ld calls=%ld wall_s=%.3f cpu_s=%.3f calls_per_cpu_s=%.0f us_per_call=%.2f "
                "connections=%llu errors=%ld",
                name, conc, calls, m.wall, m.cpu, static_cast<double>(calls) / m.cpu,
                m.cpu * 1e6 / static_cast<double>(calls), static_cast<unsigned long long>(m.connections),
                m.errors);
    if (ratio > 0)
        std::printf(" baseline_ratio=%.2f", ratio);
    std::printf("\n");
    std::fflush(stdout);
}

} // namespace

int transport(const flags& f) {
    const long calls = f.number("calls");
    const auto max_connections = static_cast<std::size_t>(f.number("max-connections"));
    test::test_server server({.tls = true}, [](const auto&) { return test::reply{.body = response_body}; });
    const auto ca =
        std::filesystem::temp_directory_path() / ("chime-bench-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca) << test::loopback_identity().cert_pem;

    const std::string& only = f.text("only");
    if (only != "both" && only != "library" && only != "baseline")
        throw std::invalid_argument("--only takes library, baseline or both, got '" + only + "'");
    for (long conc : f.numbers("concurrency")) {
        measurement base;
        if (only != "library") {
            base = run_baseline(server, ca.string(), calls, conc);
            print("baseline", conc, calls, base, 0);
        }
        if (only != "baseline") {
            const measurement lib = run_library(server, ca.string(), calls, conc, max_connections);
            print("transport", conc, calls, lib, base.cpu > 0 ? lib.cpu / base.cpu : 0);
        }
    }
    return 0;
}

} // namespace chime::bench
