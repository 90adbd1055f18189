// A fan-out batch job: N SendChannelMessage calls spread over K channels, at most C in flight, every call's
// outcome kept as a value (no exceptions), a progress bar on a terminal (plain lines otherwise), and a
// summary: calls/s, failures by error, latency percentiles, retries and throttles.
//
//   fanout_batch [--calls N] [--concurrency C] [--channels K]      (defaults 2000, 64, 10)
//
// Without AWS_ENDPOINT_URL or credentials it runs against chime-local in-process; against AWS it creates
// (and finally deletes) its own app instance.

#include "example_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>

#include <unistd.h>

namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;
using steady = std::chrono::steady_clock;

namespace {

struct job {
    long calls = 2000, concurrency = 64, channels = 10;
    std::vector<std::string> channel_arns;
    std::string sender;
    long next = 0, finished = 0, in_flight = 0;
    std::vector<double> latency_ms;
    std::map<std::string, long> failures; // by error message's code name
    int retries = 0, throttles = 0;
    asio::steady_timer* done = nullptr;
};

void progress(const job& j, bool tty) {
    const int width = 40;
    const long pct = j.finished * 100 / j.calls;
    if (tty) {
        const int filled = static_cast<int>(j.finished * width / j.calls);
        std::printf("\r[%s%s] %3ld%% %ld/%ld", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                    std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), pct, j.finished, j.calls);
        if (j.finished == j.calls)
            std::printf("\n");
        std::fflush(stdout);
    } else if (j.finished * 10 / j.calls != (j.finished - 1) * 10 / j.calls) {
        std::printf("progress: %ld/%ld (%ld%%)\n", j.finished, j.calls, pct);
    }
}

// One worker: takes the next call until none is left. Results are values: a failure is counted, not thrown.
asio::awaitable<void> worker(msg::client& m, job& j, bool tty) {
    while (j.next < j.calls) {
        const long i = j.next++;
        msg::send_channel_message_request r{.channel_arn = j.channel_arns[static_cast<std::size_t>(i % j.channels)],
                                            .content = "batch message " + std::to_string(i),
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = j.sender};
        const auto start = steady::now();
        const auto sent = co_await m.send_channel_message(std::move(r), chime::no_throw);
        j.latency_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - start).count());
        if (!sent)
            ++j.failures[sent.error().code.message()];
        ++j.finished;
        progress(j, tty);
    }
    if (--j.in_flight == 0)
        j.done->cancel();
}

asio::awaitable<void> run_job(const chime::client_config& base, job& j) {
    const auto ex = co_await asio::this_coro::executor;
    chime::client_config cfg = base;
    cfg.transport.pool.max_connections = static_cast<std::size_t>(std::min<long>(j.concurrency, 64));
    cfg.transport.on_metrics = [&j](const chime::call_metrics& c) {
        j.retries += c.attempts - 1;
        j.throttles += c.throttles;
    };
    id::client ids(ex, cfg);
    msg::client m(ex, cfg);
    id::create_app_instance_request ai{.name = "chime-cpp fanout_batch example"};
    const std::string app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = "batch", .name = "batch"};
    j.sender = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    for (long c = 0; c < j.channels; ++c) {
        msg::create_channel_request ch{.app_instance_arn = app, .name = "batch-" + std::to_string(c), .chime_bearer = j.sender};
        j.channel_arns.push_back(*(co_await m.create_channel(std::move(ch))).channel_arn);
    }

    const bool tty = ::isatty(1) != 0;
    asio::steady_timer done(ex, asio::steady_timer::time_point::max());
    j.done = &done;
    const auto start = steady::now();
    j.in_flight = std::min(j.concurrency, j.calls);
    for (long w = 0; w < j.in_flight; ++w)
        asio::co_spawn(ex, worker(m, j, tty), asio::detached);
    co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
    const double secs = std::chrono::duration<double>(steady::now() - start).count();

    std::ranges::sort(j.latency_ms);
    auto pct = [&](double p) { return j.latency_ms[std::min(j.latency_ms.size() - 1, std::size_t(p * double(j.latency_ms.size())))]; };
    long failed = 0;
    for (const auto& [_, n] : j.failures)
        failed += n;
    std::printf("summary: %ld calls over %ld channels in %.2f s (%.0f calls/s), %ld succeeded, %ld failed, "
                "p50 %.2f ms, p99 %.2f ms, %d retries, %d throttled attempts\n",
                j.calls, j.channels, secs, double(j.calls) / secs, j.calls - failed, failed, pct(0.5), pct(0.99), j.retries,
                j.throttles);
    for (const auto& [what, n] : j.failures)
        std::printf("  %ld failed: %s\n", n, what.c_str());
    id::delete_app_instance_request del{.app_instance_arn = app};
    co_await ids.delete_app_instance(std::move(del));
}

long parse_flag(std::string_view name, const char* text) {
    long v = 0;
    const std::string_view s(text);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v <= 0)
        throw std::invalid_argument(std::string(name) + " takes a positive number, not '" + std::string(s) + "'");
    return v;
}

} // namespace

int main(int argc, char** argv) try {
    job j;
    for (int i = 1; i < argc; i += 2) {
        const std::string_view name = argv[i];
        if (i + 1 >= argc)
            throw std::invalid_argument(std::string(name) + " needs a value");
        if (name == "--calls")
            j.calls = parse_flag(name, argv[i + 1]);
        else if (name == "--concurrency")
            j.concurrency = parse_flag(name, argv[i + 1]);
        else if (name == "--channels")
            j.channels = parse_flag(name, argv[i + 1]);
        else
            throw std::invalid_argument("unknown option " + std::string(name) + " (--calls, --concurrency, --channels)");
    }
    example::target where;
    asio::io_context ioc(1);
    auto done = asio::co_spawn(ioc, run_job(where.config, j), asio::use_future);
    ioc.run();
    done.get();
    return j.failures.empty() ? 0 : 3;
} catch (const std::exception& e) {
    std::cerr << "fanout_batch: " << e.what() << "\n";
    return 1;
}
