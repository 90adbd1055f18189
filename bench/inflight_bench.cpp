// chime-bench inflight: N SendChannelMessage calls started at once against a slow chime-local
// (--latency-ms before every answer) through a pool of M connections, so that nearly all of them wait
// in the pool's queue at the same time. Reports the peak resident memory of the process and what each
// call in flight costs, sampled every 5 ms while the calls run.
#include "bench_util.hpp"
#include "local_bench.hpp"

#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;
using steady = std::chrono::steady_clock;

struct state {
    msg::client* m = nullptr;
    target t;
    long started = 0, finished = 0, errors = 0;
    long peak_rss_kib = 0;
    std::uint64_t peak_waiting = 0;
    std::vector<double> latency_ms;
};

asio::awaitable<void> one(state& s) {
    const auto t0 = steady::now();
    msg::send_channel_message_request r{.channel_arn = s.t.channel, .content = "hello world",
                                        .type = msg::channel_message_type::standard,
                                        .persistence = msg::channel_message_persistence_type::persistent,
                                        .chime_bearer = s.t.bearer};
    auto sent = co_await s.m->send_channel_message(std::move(r), no_throw);
    if (!sent && s.errors++ == 0)
        std::fprintf(stderr, "inflight: %s\n", sent.error().message().c_str());
    s.latency_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
    ++s.finished;
}

asio::awaitable<void> sampler(state& s, long total) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    while (s.finished < total) {
        s.peak_rss_kib = std::max(s.peak_rss_kib, rss_kib());
        const auto c = s.m->core().transport().pool(s.m->core().endpoint_for({"SendChannelMessage", ""})).counters();
        s.peak_waiting = std::max(s.peak_waiting, c.waiting);
        tick.expires_after(std::chrono::milliseconds(5));
        co_await tick.async_wait(asio::use_awaitable);
    }
}

} // namespace

int inflight(const flags& f, const char* self) {
    const long n = f.number("calls");
    const long pool = f.number("max-connections");
    const std::string latency = std::to_string(f.number("latency-ms"));
    raise_fd_limit();
    const auto spawned = spawn_server(self, false, "1", {"--latency-ms", latency});
    client_config cfg = local_config(*spawned);
    cfg.transport.pool.max_connections = static_cast<std::size_t>(pool);
    const target t = prepare_now(cfg);

    asio::io_context ioc(1);
    msg::client m(ioc.get_executor(), cfg);
    state s;
    s.m = &m;
    s.t = t;
    s.latency_ms.reserve(static_cast<std::size_t>(n) + static_cast<std::size_t>(pool));
    for (long i = 0; i < pool; ++i) // warm-up: every connection of the pool open and handshaken
        asio::co_spawn(ioc, one(s), asio::detached);
    ioc.run();
    ioc.restart();
    s.finished = 0;
    s.latency_ms.clear();
    const long errors_in_warmup = s.errors;

    const long rss_before = rss_kib();
    const double cpu0 = cpu_seconds(false);
    const auto start = steady::now();
    for (long i = 0; i < n; ++i)
        asio::co_spawn(ioc, one(s), asio::detached);
    asio::co_spawn(ioc, sampler(s, n), asio::detached);
    ioc.run();
    const double wall = std::chrono::duration<double>(steady::now() - start).count();
    const double cpu = cpu_seconds(false) - cpu0;
    const auto c = m.core().transport().pool(m.core().endpoint_for({"SendChannelMessage", ""})).counters();
    std::printf("inflight calls=%ld pool=%ld latency_ms=%s wall_s=%.3f cpu_s=%.3f calls_per_cpu_s=%.0f p50_ms=%.1f "
                "p99_ms=%.1f peak_waiting=%llu rss_before_kib=%ld rss_peak_kib=%ld bytes_per_inflight_call=%.0f "
                "connections=%llu errors=%ld\n",
                n, pool, latency.c_str(), wall, cpu, double(n) / cpu, percentile(s.latency_ms, 0.5),
                percentile(s.latency_ms, 0.99), static_cast<unsigned long long>(s.peak_waiting), rss_before,
                s.peak_rss_kib, double(s.peak_rss_kib - rss_before) * 1024.0 / double(n),
                static_cast<unsigned long long>(c.connections_opened), s.errors - errors_in_warmup);
    std::fflush(stdout);
    return 0;
}

} // namespace chime::bench
