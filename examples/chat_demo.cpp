// The main demo: a small chat on Chime SDK messaging. Without an endpoint configured it starts
// chime-local in-process (HTTPS, self-signed certificate trusted for this run only); with
// AWS_ENDPOINT_URL or real credentials it talks to that instead. It creates an app instance, two users
// and a channel, opens a messaging session (websocket) per user, sends messages from both users
// concurrently and shows them arriving on both sessions, streams the history, edits and redacts a
// message (both sessions see it), and prints what it cost.

#include "example_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>
#include <chime/messaging/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>


namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

struct stats {
    std::mutex m;
    // Apart, because a call that opens a connection pays a TCP and TLS handshake on top of the exchange.
    std::vector<double> reused_ms, opened_ms;
    int calls = 0, errors = 0, retries = 0, throttles = 0;
};

// "N calls that ...: p50 X ms, p99 Y ms", or nothing when there were none.
std::string latency_line(std::vector<double>& ms, const char* what) {
    if (ms.empty())
        return {};
    std::ranges::sort(ms);
    auto pct = [&](double p) { return ms[std::size_t(p * double(ms.size() - 1))]; };
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << "\n  " << ms.size() << " " << what << ": p50 " << pct(0.5) << " ms, p99 " << pct(0.99) << " ms";
    return out.str();
}

// One message; the last one to finish wakes the waiting coroutine. Everything referenced outlives it.
asio::awaitable<void> send_one(msg::client& m, std::string channel, std::string from, int i, int& done, int total,
                               asio::steady_timer& all_sent) {
    msg::send_channel_message_request r{.channel_arn = std::move(channel), .content = "message " + std::to_string(i),
                                        .type = msg::channel_message_type::standard,
                                        .persistence = msg::channel_message_persistence_type::persistent,
                                        .chime_bearer = std::move(from)};
    const auto sent = co_await m.send_channel_message(std::move(r), chime::no_throw);
    if (!sent)
        std::cerr << "send failed: " << sent.error().message() << "\n";
    if (++done == total)
        all_sent.cancel();
}

// What one user's messaging session saw.
struct watcher {
    std::string name;
    int created = 0, updated = 0, redacted = 0;
    bool stopped = false;
};

asio::awaitable<void> watch(chime::async_generator<msg::session_event> events, std::shared_ptr<watcher> w) {
    while (auto e = co_await events.next()) {
        switch (e->kind()) {
        case msg::event_kind::create_channel_message:
            if (++w->created <= 2) {
                const auto m = e->as_message().value();
                std::cout << w->name << " received over the websocket: \"" << m.content.value_or("") << "\" from "
                          << (m.sender && m.sender->name ? *m.sender->name : std::string("?")) << "\n";
            }
            break;
        case msg::event_kind::update_channel_message: ++w->updated; break;
        case msg::event_kind::redact_channel_message: ++w->redacted; break;
        case msg::event_kind::stopped: w->stopped = true; co_return;
        default: break;
        }
    }
}

// Waits (up to 10 s) until `done()` holds.
template <class F>
asio::awaitable<bool> wait_for(F done) {
    const auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < 1000 && !done(); ++i) {
        asio::steady_timer t(ex, std::chrono::milliseconds(10));
        co_await t.async_wait(asio::use_awaitable);
    }
    co_return done();
}

asio::awaitable<void> chat(chime::client_config cfg) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, cfg);
    msg::client m(ex, cfg);

    id::create_app_instance_request ai_req{.name = "chime-cpp demo"};
    const std::string ai = *(co_await ids.create_app_instance(std::move(ai_req))).app_instance_arn;
    std::string alice, bob;
    for (auto [who, out] : {std::pair{"alice", &alice}, {"bob", &bob}}) {
        id::create_app_instance_user_request u{.app_instance_arn = ai, .app_instance_user_id = who, .name = who};
        *out = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    }
    msg::create_channel_request ch{.app_instance_arn = ai, .name = "general", .chime_bearer = alice,
                                   .member_arns = std::vector<std::string>{bob}};
    const std::string channel = *(co_await m.create_channel(std::move(ch))).channel_arn;
    std::cout << "channel " << channel << "\n";

    // A messaging session per user: established means SESSION_ESTABLISHED arrived.
    msg::session_options ao, bo;
    ao.app_instance_user_arn = alice;
    bo.app_instance_user_arn = bob;
    msg::session alice_session(ex, m, ao), bob_session(ex, m, bo);
    auto seen_by_alice = std::make_shared<watcher>();
    auto seen_by_bob = std::make_shared<watcher>();
    seen_by_alice->name = "alice";
    seen_by_bob->name = "bob";
    asio::co_spawn(ex, watch(alice_session.events(), seen_by_alice), asio::detached);
    asio::co_spawn(ex, watch(bob_session.events(), seen_by_bob), asio::detached);
    co_await alice_session.start();
    co_await bob_session.start();
    std::cout << "messaging sessions established for alice and bob\n";

    // 20 messages, alice and bob writing at the same time: 20 coroutines, one pooled connection set.
    constexpr int total = 20;
    int done = 0;
    asio::steady_timer all_sent(ex, asio::steady_timer::time_point::max());
    for (int i = 0; i < total; ++i)
        asio::co_spawn(ex, send_one(m, channel, i % 2 ? alice : bob, i, done, total, all_sent), asio::detached);
    boost::system::error_code ignored;
    co_await all_sent.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (!co_await wait_for([&] { return seen_by_alice->created >= total && seen_by_bob->created >= total; }))
        throw std::runtime_error("the websocket did not deliver every message within 10 s");
    std::cout << "websocket: alice received " << seen_by_alice->created << " messages, bob " << seen_by_bob->created << "\n";

    // The history, oldest first, through an item stream that requests five per page.
    msg::list_channel_messages_request l{.channel_arn = channel, .sort_order = msg::sort_order::ascending,
                                         .max_results = 5, .chime_bearer = alice};
    auto history = m.list_channel_messages_items(std::move(l));
    std::string first_id;
    int count = 0;
    while (auto s = co_await history.next()) {
        if (first_id.empty())
            first_id = *s->message_id;
        ++count;
    }
    std::cout << "history: " << count << " messages (item stream, 5 per page)\n";

    msg::get_channel_message_request get{.channel_arn = channel, .message_id = first_id, .chime_bearer = bob};
    const std::string author = *(co_await m.get_channel_message(get)).channel_message->sender->arn;
    msg::update_channel_message_request edit{.channel_arn = channel, .message_id = first_id, .content = "message 0 (edited)",
                                             .chime_bearer = author};
    co_await m.update_channel_message(std::move(edit));
    msg::redact_channel_message_request redact{.channel_arn = channel, .message_id = first_id, .chime_bearer = alice};
    co_await m.redact_channel_message(std::move(redact));
    std::cout << "edited, then redacted " << first_id << ": redacted="
              << *(co_await m.get_channel_message(get)).channel_message->redacted << "\n";
    if (!co_await wait_for([&] {
            return seen_by_alice->updated && seen_by_alice->redacted && seen_by_bob->updated && seen_by_bob->redacted;
        }))
        throw std::runtime_error("the edit and the redaction did not reach both sessions within 10 s");
    std::cout << "websocket: the edit and the redaction reached both sessions\n";
    co_await alice_session.stop();
    co_await bob_session.stop();
    co_await wait_for([&] { return seen_by_alice->stopped && seen_by_bob->stopped; });
    const auto sa = alice_session.stats(), sb = bob_session.stats();
    std::cout << "sessions: " << sa.attempts + sb.attempts << " connection attempts, " << sa.frames + sb.frames
              << " frames received, stopped\n";
}

int main() try {
    example::target where;
    chime::client_config cfg = where.config;
    stats st;
    cfg.transport.on_metrics = [&st](const chime::call_metrics& m) {
        std::lock_guard lock(st.m);
        ++st.calls;
        st.errors += m.error ? 1 : 0;
        st.retries += m.attempts - 1;
        st.throttles += m.throttles;
        const double ms = std::chrono::duration<double, std::milli>(m.latency).count();
        if (m.http_status == 0)
            return; // no answer at all: counted in errors, in neither latency
        (m.connection_reused ? st.reused_ms : st.opened_ms).push_back(ms); // as its last attempt went
    };
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, chat(cfg), asio::use_future);
    ioc.run();
    done.get();

    std::cout << "report: " << st.calls << " calls, " << st.errors << " errors, " << st.retries << " retries, "
              << st.throttles << " throttled; latency of"
              << latency_line(st.reused_ms, "calls over a pooled connection")
              << latency_line(st.opened_ms, "calls that opened a connection (TCP and TLS handshakes)") << "\n";
    if (where.local)
        std::cout << "chime-local stats: " << boost::json::serialize(where.local->stats()) << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chat_demo: " << e.what() << "\n";
    return 1;
}
