// The main demo: a small chat on Chime SDK messaging. Without an endpoint configured it starts
// chime-local in-process (HTTPS, self-signed certificate trusted for this run only); with
// AWS_ENDPOINT_URL or real credentials it talks to that instead. It creates an app instance, two users
// and a channel, sends messages from both users concurrently, pages through the history, edits and
// redacts a message, and prints what it cost.

#include "chime-local/server.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>

#include <unistd.h>

namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

struct stats {
    std::mutex m;
    std::vector<double> latencies_ms;
    int calls = 0, errors = 0;
};

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

    // 20 messages, alice and bob writing at the same time: 20 coroutines, one pooled connection set.
    constexpr int total = 20;
    int done = 0;
    asio::steady_timer all_sent(ex, asio::steady_timer::time_point::max());
    for (int i = 0; i < total; ++i)
        asio::co_spawn(ex, send_one(m, channel, i % 2 ? alice : bob, i, done, total, all_sent), asio::detached);
    boost::system::error_code ignored;
    co_await all_sent.async_wait(asio::redirect_error(asio::use_awaitable, ignored));

    // The history, oldest first, five per page.
    std::optional<std::string> token;
    std::string first_id;
    int pages = 0, count = 0;
    do {
        msg::list_channel_messages_request l{.channel_arn = channel, .sort_order = msg::sort_order::ascending,
                                             .max_results = 5, .next_token = token, .chime_bearer = alice};
        const auto page = co_await m.list_channel_messages(std::move(l));
        for (const auto& s : *page.channel_messages) {
            if (first_id.empty())
                first_id = *s.message_id;
            ++count;
        }
        token = page.next_token;
        ++pages;
    } while (token);
    std::cout << "history: " << count << " messages in " << pages << " pages\n";

    msg::get_channel_message_request get{.channel_arn = channel, .message_id = first_id, .chime_bearer = bob};
    const std::string author = *(co_await m.get_channel_message(get)).channel_message->sender->arn;
    msg::update_channel_message_request edit{.channel_arn = channel, .message_id = first_id, .content = "message 0 (edited)",
                                             .chime_bearer = author};
    co_await m.update_channel_message(std::move(edit));
    msg::redact_channel_message_request redact{.channel_arn = channel, .message_id = first_id, .chime_bearer = alice};
    co_await m.redact_channel_message(std::move(redact));
    std::cout << "edited, then redacted " << first_id << ": redacted="
              << *(co_await m.get_channel_message(get)).channel_message->redacted << "\n";
}

int main() try {
    chime::client_config cfg;
    std::optional<chime::local::server> local;
    const auto ca = std::filesystem::temp_directory_path() / ("chime-demo-ca-" + std::to_string(::getpid()) + ".pem");
    if (!std::getenv("AWS_ENDPOINT_URL") && !std::getenv("AWS_ACCESS_KEY_ID")) {
        local.emplace(chime::local::server_options{});
        std::ofstream(ca) << local->certificate_pem();
        cfg.endpoint_url = local->url();
        cfg.region = "us-east-1";
        cfg.credentials = chime::auth::make_static_provider(
            {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "chime-local example keys"});
        cfg.transport.pool.tls.ca_file = ca.string();
        std::cout << "started chime-local at " << local->url() << "\n";
    }
    stats st;
    cfg.transport.on_metrics = [&st](const chime::call_metrics& m) {
        std::lock_guard lock(st.m);
        ++st.calls;
        st.errors += m.error ? 1 : 0;
        st.latencies_ms.push_back(std::chrono::duration<double, std::milli>(m.latency).count());
    };
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, chat(cfg), asio::use_future);
    ioc.run();
    done.get();

    std::ranges::sort(st.latencies_ms);
    auto pct = [&](double p) { return st.latencies_ms[std::size_t(p * double(st.latencies_ms.size() - 1))]; };
    std::cout << "report: " << st.calls << " calls, " << st.errors << " errors, latency p50 " << pct(0.5) << " ms, p99 "
              << pct(0.99) << " ms\n";
    if (local)
        std::cout << "chime-local stats: " << boost::json::serialize(local->stats()) << "\n";
    std::filesystem::remove(ca);
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chat_demo: " << e.what() << "\n";
    return 1;
}
