// chime-bench calls: N calls of one operation from C coroutines, through the typed client, against an
// endpoint (chime-local spawned when none is given). After a warm-up (C calls: the pool opens its
// connections), one line with wall time, the process's CPU over the measured calls, latency
// percentiles, connections, errors, and the retry layer's figures: goodput (successful calls/s),
// attempts and throttled attempts. With `--side-op list-channels --side-rate R`, a second operation
// runs at R calls/s beside the main one and gets a line of its own: with per-scope rate limiting, a
// throttled main operation does not slow it.
#include "bench_util.hpp"
#include "local_bench.hpp"
#include "raw_beast.hpp"
#include "util/uuid.hpp"

#include <chime/messaging/client.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <sstream>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;
using steady = std::chrono::steady_clock;

enum class op_kind { send, list, get };

op_kind parse_op(const std::string& s) {
    if (s == "send-channel-message")
        return op_kind::send;
    if (s == "list-channel-messages")
        return op_kind::list;
    if (s == "get-channel-message")
        return op_kind::get;
    throw std::invalid_argument("--op is send-channel-message, list-channel-messages or get-channel-message, got '" + s + "'");
}

struct tally {
    long ok = 0, errors = 0;
    long attempts = 0, throttled = 0;
    std::vector<double> latency_ms;
    double send_wait_ms = 0;
    void reset() { *this = tally{}; }
};

struct shared {
    msg::client* m;
    target t;
    std::string message_id; // for get-channel-message
    op_kind op;
    long remaining = 0;
    long active = 0;
    tally main;
    asio::steady_timer* done = nullptr;
};

asio::awaitable<bool> one_call(shared& s) {
    if (s.op == op_kind::send) {
        msg::send_channel_message_request r{.channel_arn = s.t.channel, .content = "hello world",
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = s.t.bearer};
        auto sent = co_await s.m->send_channel_message(std::move(r), no_throw);
        if (!sent && s.main.errors == 0)
            std::fprintf(stderr, "calls: %s\n", sent.error().message().c_str());
        co_return sent.has_value();
    }
    if (s.op == op_kind::list) {
        msg::list_channel_messages_request r{.channel_arn = s.t.channel, .max_results = 50, .chime_bearer = s.t.bearer};
        auto listed = co_await s.m->list_channel_messages(std::move(r), no_throw);
        if (!listed && s.main.errors == 0)
            std::fprintf(stderr, "calls: %s\n", listed.error().message().c_str());
        co_return listed.has_value();
    }
    msg::get_channel_message_request r{.channel_arn = s.t.channel, .message_id = s.message_id, .chime_bearer = s.t.bearer};
    auto got = co_await s.m->get_channel_message(std::move(r), no_throw);
    if (!got && s.main.errors == 0)
        std::fprintf(stderr, "calls: %s\n", got.error().message().c_str());
    co_return got.has_value();
}

asio::awaitable<void> worker(shared& s) {
    while (s.remaining > 0) {
        --s.remaining;
        const auto t0 = steady::now();
        const bool ok = co_await one_call(s);
        s.main.latency_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
        ++(ok ? s.main.ok : s.main.errors);
    }
    if (--s.active == 0)
        s.done->cancel();
}

asio::awaitable<void> run_phase(shared& s, long calls, long conc) {
    const auto ex = co_await asio::this_coro::executor;
    asio::steady_timer done(ex, steady::time_point::max());
    s.remaining = calls;
    s.active = conc;
    s.done = &done;
    for (long i = 0; i < conc; ++i)
        asio::co_spawn(ex, worker(s), asio::detached);
    boost::system::error_code ec;
    if (s.active > 0)
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// The side operation: ListChannels at a fixed rate until `stop` is set.
struct side_state {
    msg::client* m;
    std::string app_instance, bearer;
    double rate = 0;
    bool stop = false;
    tally t;
};

asio::awaitable<void> side_call(side_state& s) {
    msg::list_channels_request r{.app_instance_arn = s.app_instance, .max_results = 1, .chime_bearer = s.bearer};
    const auto t0 = steady::now();
    auto listed = co_await s.m->list_channels(std::move(r), no_throw);
    s.t.latency_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - t0).count());
    ++(listed ? s.t.ok : s.t.errors);
}

asio::awaitable<void> side_loop(side_state& s) {
    const auto ex = co_await asio::this_coro::executor;
    asio::steady_timer tick(ex);
    auto next = steady::now();
    const auto period = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1 / s.rate));
    while (!s.stop) {
        asio::co_spawn(ex, side_call(s), asio::detached); // open loop: a slow call does not delay the next
        next += period;
        tick.expires_at(next);
        co_await tick.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> measured_phase(shared& s, side_state& side, long n, long conc) {
    co_await run_phase(s, n, conc);
    side.stop = true;
}

// CHIME_BENCH_TRACE=1: the throttle scopes' rate limits every 250 ms, on stderr.
asio::awaitable<void> trace_loop(shared& s) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    const auto t0 = steady::now();
    for (;;) {
        tick.expires_after(std::chrono::milliseconds(steady::now() - t0 < std::chrono::seconds(2) ? 20 : 250));
        co_await tick.async_wait(asio::use_awaitable);
        for (const auto& r : s.m->core().transport().rate_limits())
            std::fprintf(stderr, "t=%.2f %s enabled=%d rate=%.1f measured=%.1f waiting=%zu throttles=%llu ok=%ld\n",
                         std::chrono::duration<double>(steady::now() - t0).count(), r.scope.c_str(), int(r.enabled),
                         r.fill_rate, r.measured_rate, r.waiting, static_cast<unsigned long long>(r.throttles), s.main.ok);
    }
}

// The raw-Beast floor: the same SendChannelMessage exchange (a fresh ClientRequestToken each call, signed,
// the JSON answer parsed) on min(C, max-connections) keep-alive connections, no library above SigV4.
raw_result raw_floor(const client_config& cfg, const auth::credentials& creds, const target& t, long n, long conc,
                     bool verify) {
    const net::endpoint ep = net::endpoint::parse(*cfg.endpoint_url).value();
    raw_exchange x;
    x.connect_host = ep.host;
    x.port = ep.port;
    x.tls = ep.tls;
    x.ca_file = cfg.transport.pool.tls.ca_file;
    x.verify = verify;
    x.host_header = ep.host_header();
    x.region = cfg.region.value_or("us-east-1");
    x.path = "/channels/" + uri_encode(t.channel) + "/messages";
    x.bearer = t.bearer;
    x.make_body = [](std::string& body) {
        body = R"({"Content":"hello world","Type":"STANDARD","Persistence":"PERSISTENT","ClientRequestToken":")";
        body += chime::detail::secure_uuid_v4().value();
        body += "\"}";
    };
    const long connections = std::min(conc, static_cast<long>(cfg.transport.pool.max_connections));
    return run_raw_beast(x, creds, connections, n, connections, false);
}

asio::awaitable<auth::credentials> resolve_credentials(msg::client& m) {
    const auto c = co_await m.core().transport().credentials()->get();
    co_return *c;
}

} // namespace

int calls(const flags& f, const char* self) {
    const op_kind op = parse_op(f.text("op"));
    const long n = f.number("calls");
    const long conc = f.number("concurrency");
    const std::string mode = f.text("retry-mode");
    if (mode != "standard" && mode != "adaptive")
        throw std::invalid_argument("--retry-mode is standard or adaptive, got '" + mode + "'");
    if (f.text("channel-arn").empty() != f.text("bearer").empty())
        throw std::invalid_argument("--channel-arn and --bearer go together");
    const std::string client = f.text("client");
    if (client != "library" && client != "raw-beast" && client != "both")
        throw std::invalid_argument("--client is library, raw-beast or both, got '" + client + "'");
    if (client != "library" && op != op_kind::send)
        throw std::invalid_argument("--client " + client + " measures --op send-channel-message only");
    const std::string side_op = f.text("side-op");
    if (!side_op.empty() && side_op != "list-channels")
        throw std::invalid_argument("--side-op is list-channels, got '" + side_op + "'");

    std::unique_ptr<spawned_server> spawned;
    client_config cfg;
    if (f.text("endpoint").empty()) {
        spawned = spawn_server(self, false, "1", split_words(f.text("local-args")));
        cfg = local_config(*spawned);
    } else {
        cfg.region = "us-east-1";
        cfg.endpoint_url = f.text("endpoint");
        cfg.transport.pool.tls.ca_file = f.text("ca-bundle");
    }
    if (f.on("no-verify-ssl"))
        cfg.transport.pool.tls.verify = false;
    cfg.transport.pool.max_connections = std::size_t(f.number("max-connections"));
    cfg.retry_mode = mode == "adaptive" ? retry_mode::adaptive : retry_mode::standard;

    // Set-up (an app instance, a user, a channel), without the measured client's metrics.
    target t;
    if (f.text("channel-arn").empty())
        t = prepare_now(cfg);
    else
        t = target{f.text("channel-arn"), f.text("bearer")};

    asio::io_context ioc(1);
    shared s;
    side_state side;
    cfg.transport.on_metrics = [&](const call_metrics& m) {
        tally& into = m.operation == "ListChannels" ? side.t : s.main;
        into.attempts += m.attempts;
        into.throttled += m.throttles;
        into.send_wait_ms += std::chrono::duration<double, std::milli>(m.send_wait).count();
    };
    msg::client m(ioc.get_executor(), cfg);
    raw_result floor;
    if (client != "library") {
        if (!cfg.endpoint_url)
            throw std::invalid_argument("--client " + client + " needs an endpoint (--endpoint, or none for chime-local)");
        auto got = asio::co_spawn(ioc, resolve_credentials(m), asio::use_future);
        ioc.run();
        ioc.restart();
        floor = raw_floor(cfg, got.get(), t, n, conc, !f.on("no-verify-ssl"));
        std::printf("raw-beast op=%s calls=%ld conc=%ld wall_s=%.3f cpu_s=%.3f calls_per_cpu_s=%.0f p50_ms=%.3f "
                    "p99_ms=%.3f connections=%ld errors=%ld\n",
                    f.text("op").c_str(), n, conc, floor.wall_s, floor.cpu_s, double(n) / floor.cpu_s,
                    percentile(floor.latency_ms, 0.5), percentile(floor.latency_ms, 0.99), floor.connections,
                    floor.errors);
        std::fflush(stdout);
        if (client == "raw-beast")
            return 0;
    }
    s.m = &m;
    s.t = t;
    s.op = op;
    if (op != op_kind::send) { // something to read: 50 messages
        shared fill = s;
        fill.op = op_kind::send;
        auto filled = asio::co_spawn(ioc, run_phase(fill, 50, 10), asio::use_future);
        ioc.run();
        filled.get();
        ioc.restart();
        msg::list_channel_messages_request r{.channel_arn = t.channel, .max_results = 1, .chime_bearer = t.bearer};
        auto first = asio::co_spawn(ioc, m.list_channel_messages(std::move(r)), asio::use_future);
        ioc.run();
        s.message_id = *first.get().channel_messages->at(0).message_id;
        ioc.restart();
    }

    asio::cancellation_signal trace_slot;
    if (const char* trace = std::getenv("CHIME_BENCH_TRACE"); trace && std::string_view(trace) == "1")
        asio::co_spawn(ioc, trace_loop(s), asio::bind_cancellation_slot(trace_slot.slot(), asio::detached));
    auto warm = asio::co_spawn(ioc, run_phase(s, std::min(conc, n), conc), asio::use_future);
    while (warm.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        ioc.run_one(); // warm-up: the pool's connections open, TLS handshakes done
    warm.get();
    ioc.restart();
    const tally warmup = s.main;
    s.main.reset();
    side.t.reset();

    if (!side_op.empty()) {
        side.m = &m;
        side.app_instance = t.channel.substr(0, t.channel.find("/channel/"));
        side.bearer = t.bearer;
        side.rate = std::stod(f.text("side-rate"));
        if (!(side.rate > 0))
            throw std::invalid_argument("--side-rate must be a positive number of calls per second");
        asio::co_spawn(ioc, side_loop(side), asio::detached);
    }
    const double cpu0 = cpu_seconds(false);
    const auto start = steady::now();
    auto measured = asio::co_spawn(ioc, measured_phase(s, side, n, conc), asio::use_future);
    while (measured.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        ioc.run_one();
    trace_slot.emit(asio::cancellation_type::terminal);
    ioc.run();
    measured.get();
    const double wall = std::chrono::duration<double>(steady::now() - start).count();
    const double cpu = cpu_seconds(false) - cpu0;
    const auto pool = m.core().transport().pool(m.core().endpoint_for({"SendChannelMessage", ""})).counters();

    std::printf("chime-cpp op=%s calls=%ld conc=%ld retry_mode=%s wall_s=%.3f cpu_s=%.3f calls_per_cpu_s=%.0f "
                "p50_ms=%.3f p99_ms=%.3f connections=%llu errors=%ld goodput_per_s=%.1f attempts=%ld "
                "throttled_attempts=%ld throttled_fraction=%.4f send_wait_ms_mean=%.1f warmup_throttled=%ld",
                f.text("op").c_str(), n, conc, mode.c_str(), wall, cpu, double(n) / cpu,
                percentile(s.main.latency_ms, 0.5), percentile(s.main.latency_ms, 0.99),
                static_cast<unsigned long long>(pool.connections_opened), s.main.errors, double(s.main.ok) / wall,
                s.main.attempts, s.main.throttled, s.main.attempts ? double(s.main.throttled) / double(s.main.attempts) : 0.0,
                s.main.send_wait_ms / double(std::max(1L, n)), warmup.throttled);
    if (floor.cpu_s > 0)
        std::printf(" cpu_vs_raw_beast=%.2f", cpu / floor.cpu_s);
    std::printf("\n");
    if (!side_op.empty())
        std::printf("side op=%s rate_per_s=%.1f calls=%ld errors=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
                    "throttled_attempts=%ld send_wait_ms_total=%.1f\n",
                    side_op.c_str(), side.rate, side.t.ok + side.t.errors, side.t.errors,
                    percentile(side.t.latency_ms, 0.5), percentile(side.t.latency_ms, 0.99),
                    percentile(side.t.latency_ms, 1.0), side.t.throttled, side.t.send_wait_ms);
    for (const auto& r : m.core().transport().rate_limits())
        if (r.enabled)
            std::printf("scope \"%s\" rate_limit_per_s=%.1f measured_per_s=%.1f throttles=%llu\n", r.scope.c_str(),
                        r.fill_rate, r.measured_rate, static_cast<unsigned long long>(r.throttles));
    std::fflush(stdout);
    return 0;
}

} // namespace chime::bench
