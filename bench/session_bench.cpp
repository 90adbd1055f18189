// chime-bench session: the messaging-session client against chime-local (a separate program, TLS):
// - latency: one sender sends N messages one after another; for each, the time from SendChannelMessage
//   completing (and from it starting) to the event arriving at another user's session;
// - fan-out: S sessions, all members of one channel, receive M messages: events delivered per second;
// - idle: I sessions established and idle: the client's resident memory per session.
// Every session runs on one executor (one thread), as an application with many users would.
#include "bench_util.hpp"
#include "local_bench.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

namespace chime::bench {
namespace {
namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;
using steady = std::chrono::steady_clock;

msg::session_options options_for(const std::string& user) {
    msg::session_options o;
    o.app_instance_user_arn = user;
    return o;
}

asio::awaitable<std::vector<std::string>> make_users(id::client& ids, const std::string& app, const std::string& prefix, long n) {
    std::vector<std::string> users;
    for (long i = 0; i < n; ++i) {
        id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = prefix + std::to_string(i),
                                               .name = std::string("user")};
        users.push_back(*(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn);
    }
    co_return users;
}

asio::awaitable<void> add_members(msg::client& m, const std::string& channel, const std::string& admin,
                                  const std::vector<std::string>& users) {
    for (std::size_t i = 0; i < users.size(); i += 100) {
        msg::batch_create_channel_membership_request b{
            .channel_arn = channel,
            .member_arns = std::vector<std::string>(users.begin() + long(i), users.begin() + long(std::min(users.size(), i + 100))),
            .chime_bearer = admin};
        co_await m.batch_create_channel_membership(std::move(b));
    }
}

asio::awaitable<std::string> send(msg::client& m, const std::string& channel, const std::string& from, std::string text) {
    msg::send_channel_message_request r{.channel_arn = channel, .content = std::move(text),
                                        .type = msg::channel_message_type::standard,
                                        .persistence = msg::channel_message_persistence_type::persistent,
                                        .chime_bearer = from};
    co_return *(co_await m.send_channel_message(std::move(r))).message_id;
}

// What a receiving coroutine counts; shared, as the coroutine may outlive the block that started it.
struct tally {
    long received = 0;
    std::map<std::string, steady::time_point> arrivals; // by content, when kept
};

// Counts create events; records arrival times by content for the latency run.
asio::awaitable<void> receive(async_generator<msg::session_event> events, long wanted, std::shared_ptr<tally> t, bool keep) {
    while (t->received < wanted) {
        auto e = co_await events.next();
        if (!e || e->is_stopped())
            co_return;
        if (e->kind() != msg::event_kind::create_channel_message)
            continue;
        if (keep)
            t->arrivals[e->as_message().value().content.value_or("")] = steady::now();
        ++t->received;
    }
}

asio::awaitable<void> bench(client_config cfg, long messages, long fanout_sessions, long fanout_messages, long idle) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, cfg);
    msg::client m(ex, cfg);
    id::create_app_instance_request ai{.name = "session-bench"};
    const auto app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    const auto pair = co_await make_users(ids, app, "p", 2);
    const std::string& alice = pair[0];
    const std::string& bob = pair[1];
    msg::create_channel_request ch{.app_instance_arn = app, .name = "bench", .chime_bearer = alice,
                                   .member_arns = std::vector<std::string>{bob}};
    const auto channel = *(co_await m.create_channel(std::move(ch))).channel_arn;

    // 1. Latency, one message at a time.
    {
        msg::session receiver(ex, m, options_for(bob));
        co_await receiver.start();
        auto t = std::make_shared<tally>();
        asio::co_spawn(ex, receive(receiver.events(), messages + messages / 10, t, true), asio::detached);
        for (long i = 0; i < messages / 10; ++i) // warm-up: pool connection, TLS, allocator
            co_await send(m, channel, alice, "warm-" + std::to_string(i));
        while (t->received < messages / 10) {
            asio::steady_timer tick(ex, std::chrono::milliseconds(1));
            co_await tick.async_wait(asio::use_awaitable);
        }
        const long warm = t->received;
        auto& arrivals = t->arrivals;
        std::vector<std::pair<steady::time_point, steady::time_point>> sent(static_cast<std::size_t>(messages));
        for (long i = 0; i < messages; ++i) {
            const auto start = steady::now();
            co_await send(m, channel, alice, std::to_string(i));
            sent[static_cast<std::size_t>(i)] = {start, steady::now()};
        }
        const auto deadline = steady::now() + std::chrono::seconds(10);
        while (t->received < warm + messages && steady::now() < deadline) {
            asio::steady_timer tick(ex, std::chrono::milliseconds(1));
            co_await tick.async_wait(asio::use_awaitable);
        }
        std::vector<double> after_reply, after_start;
        long early = 0;
        for (long i = 0; i < messages; ++i) {
            const auto it = arrivals.find(std::to_string(i));
            if (it == arrivals.end())
                continue;
            const auto [start, done] = sent[static_cast<std::size_t>(i)];
            after_start.push_back(std::chrono::duration<double, std::milli>(it->second - start).count());
            const double d = std::chrono::duration<double, std::milli>(it->second - done).count();
            early += d < 0;
            after_reply.push_back(std::max(0.0, d));
        }
        std::printf("session-latency messages=%ld received=%zu p50_ms_after_reply=%.3f p99_ms_after_reply=%.3f "
                    "arrived_before_reply=%ld p50_ms_after_send_start=%.3f p99_ms_after_send_start=%.3f\n",
                    messages, after_start.size(), percentile(after_reply, 0.5), percentile(after_reply, 0.99), early,
                    percentile(after_start, 0.5), percentile(after_start, 0.99));
        std::fflush(stdout);
        co_await receiver.stop();
    }

    // 2. Fan-out: S sessions, M messages to all of them.
    {
        const auto users = co_await make_users(ids, app, "f", fanout_sessions);
        co_await add_members(m, channel, alice, users);
        std::vector<std::unique_ptr<msg::session>> sessions;
        for (const auto& u : users) {
            sessions.push_back(std::make_unique<msg::session>(ex, m, options_for(u)));
            co_await sessions.back()->start();
        }
        std::vector<std::shared_ptr<tally>> tallies;
        for (auto& s : sessions) {
            tallies.push_back(std::make_shared<tally>());
            asio::co_spawn(ex, receive(s->events(), fanout_messages, tallies.back(), false), asio::detached);
        }
        const double cpu0 = cpu_seconds(false);
        const auto start = steady::now();
        for (long i = 0; i < fanout_messages; ++i)
            co_await send(m, channel, alice, "fan-" + std::to_string(i));
        const long wanted = fanout_messages * fanout_sessions;
        const auto deadline = steady::now() + std::chrono::seconds(60);
        long total = 0;
        while (steady::now() < deadline) {
            total = 0;
            for (const auto& r : tallies)
                total += r->received;
            if (total >= wanted)
                break;
            asio::steady_timer tick(ex, std::chrono::milliseconds(1));
            co_await tick.async_wait(asio::use_awaitable);
        }
        const double secs = std::chrono::duration<double>(steady::now() - start).count();
        std::printf("session-fanout sessions=%ld messages=%ld events=%ld wall_s=%.3f events_per_s=%.0f client_cpu_s=%.3f\n",
                    fanout_sessions, fanout_messages, total, secs, double(total) / secs, cpu_seconds(false) - cpu0);
        std::fflush(stdout);
        for (auto& s : sessions)
            co_await s->stop();
    }

    // 3. Idle sessions: resident memory per session.
    {
        const auto users = co_await make_users(ids, app, "i", idle);
        const long before = rss_kib();
        std::vector<std::unique_ptr<msg::session>> sessions;
        for (const auto& u : users) {
            sessions.push_back(std::make_unique<msg::session>(ex, m, options_for(u)));
            co_await sessions.back()->start();
        }
        const long after = rss_kib();
        std::printf("session-idle sessions=%ld rss_kib_before=%ld rss_kib_after=%ld kib_per_session=%.1f\n", idle, before,
                    after, double(after - before) / double(idle));
        std::fflush(stdout);
        for (auto& s : sessions)
            co_await s->stop();
    }
}

} // namespace

int session(const flags& f, const char* self) {
    raise_fd_limit();
    const long messages = f.number("messages");
    const auto server = spawn_server(self, false, "1", split_words(f.text("local-args")));
    const client_config cfg = local_config(*server);
    asio::io_context ioc(1);
    auto done = asio::co_spawn(ioc, bench(cfg, messages, f.number("sessions"), f.number("fanout-messages"), f.number("idle")),
                               asio::use_future);
    ioc.run();
    done.get();
    return 0;
}

} // namespace chime::bench
