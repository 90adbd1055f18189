// chime-bench pagination: an item stream over a long channel history in chime-local (a separate
// program), with and without prefetch: items per second, and the client's resident memory after 10% and
// after all of the items, which must not grow with the number of pages.
#include "bench_util.hpp"
#include "local_bench.hpp"

#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;

// The peak resident set size so far (getrusage).
long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

struct stream_result {
    long items = 0;
    double seconds = 0;
    long rss_at_tenth = 0, rss_at_end = 0;
};

asio::awaitable<stream_result> stream_all(msg::client& m, const target& t, long expected, int page_size,
                                          bool prefetch) {
    msg::list_channel_messages_request req{.channel_arn = t.channel, .sort_order = msg::sort_order::ascending,
                                           .max_results = page_size, .chime_bearer = t.bearer};
    stream_result r;
    const auto start = std::chrono::steady_clock::now();
    auto items = m.list_channel_messages_items(std::move(req), {.prefetch = prefetch});
    std::size_t bytes = 0; // touch each item, as a consumer would
    while (auto item = co_await items.next()) {
        bytes += item->content ? item->content->size() : 0;
        if (++r.items == expected / 10)
            r.rss_at_tenth = rss_kib();
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.rss_at_end = rss_kib();
    if (bytes == 0)
        throw std::runtime_error("the listed messages have no content");
    co_return r;
}

} // namespace

int pagination(const flags& f, const char* self) {
    const long count = f.number("items");
    const long page_size = f.number("page-size");
    if (page_size > 50)
        throw std::invalid_argument("--page-size is at most 50 (ListChannelMessages' MaxResults)");
    const auto server = spawn_server(self, false, "1");
    const client_config cfg = local_config(*server);

    const target t = prepare_now(cfg);
    asio::io_context ioc(1);
    msg::client m(ioc.get_executor(), cfg);
    auto seeded = asio::co_spawn(ioc, run_calls(m, t, count, 64), asio::use_future);
    ioc.run();
    if (const long failed = seeded.get(); failed != 0)
        throw std::runtime_error(std::to_string(failed) + " of the seeding calls failed");
    for (const bool prefetch : {false, true}) {
        ioc.restart();
        auto run = asio::co_spawn(ioc, stream_all(m, t, count, int(page_size), prefetch), asio::use_future);
        ioc.run();
        const auto r = run.get();
        if (r.items != count)
            throw std::runtime_error("streamed " + std::to_string(r.items) + " items, expected " + std::to_string(count));
        std::printf("pagination op=list-channel-messages items=%ld pages=%ld prefetch=%s wall_s=%.3f items_per_s=%.0f "
                    "rss_kib_at_%ld=%ld rss_kib_at_%ld=%ld peak_rss_kib=%ld\n",
                    r.items, (count + page_size - 1) / page_size, prefetch ? "on" : "off", r.seconds,
                    double(r.items) / r.seconds, count / 10, r.rss_at_tenth, count, r.rss_at_end, peak_rss_kib());
        std::fflush(stdout);
    }
    return 0;
}

} // namespace chime::bench
