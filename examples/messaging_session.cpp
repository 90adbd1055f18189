// The messaging-session stream on its own: bob opens a session (with catch-up on his channel) and prints
// every event as it arrives, lifecycle changes included, while alice writes. Against chime-local the
// example also cuts bob's connection while alice keeps writing, to show the reconnect and the catch-up
// that delivers what was sent meanwhile, exactly once. Against AWS (AWS_ENDPOINT_URL or credentials set) it
// creates and finally deletes its own app instance.

#include "example_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>
#include <chime/messaging/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

namespace {

struct shown {
    int messages = 0;
    bool stopped = false;
};

// Prints bob's events until the session stops.
asio::awaitable<void> show(chime::async_generator<msg::session_event> events, std::shared_ptr<shown> seen) {
    while (auto e = co_await events.next()) {
        std::cout << "  event " << msg::to_string(e->kind());
        if (e->kind() == msg::event_kind::create_channel_message || e->kind() == msg::event_kind::update_channel_message) {
            ++seen->messages;
            std::cout << ": \"" << e->as_message().value().content.value_or("") << "\"" << (e->replayed() ? " (caught up over REST)" : "");
        } else if (e->kind() == msg::event_kind::reconnecting || e->is_stopped()) {
            std::cout << " after close " << e->close_code() << " (" << e->reason() << ")";
        }
        std::cout << "\n";
        if (e->is_stopped()) {
            seen->stopped = true;
            co_return;
        }
    }
}

asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<void> say(msg::client& m, const std::string& channel, const std::string& from, std::string text) {
    msg::send_channel_message_request r{.channel_arn = channel, .content = std::move(text),
                                        .type = msg::channel_message_type::standard,
                                        .persistence = msg::channel_message_persistence_type::persistent,
                                        .chime_bearer = from};
    co_await m.send_channel_message(std::move(r));
}

asio::awaitable<void> demo(example::target& where) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, where.config);
    msg::client m(ex, where.config);
    id::create_app_instance_request ai{.name = "chime-cpp messaging_session example"};
    const std::string app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    std::string alice, bob;
    for (auto [who, out] : {std::pair{"alice", &alice}, {"bob", &bob}}) {
        id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = who, .name = who};
        *out = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    }
    msg::create_channel_request ch{.app_instance_arn = app, .name = "example", .chime_bearer = alice,
                                   .member_arns = std::vector<std::string>{bob}};
    const std::string channel = *(co_await m.create_channel(std::move(ch))).channel_arn;

    msg::session_options o;
    o.app_instance_user_arn = bob;
    o.catch_up_channels = {channel};
    o.reconnect_base = std::chrono::milliseconds(200);
    msg::session session(ex, m, o);
    auto seen = std::make_shared<shown>();
    asio::co_spawn(ex, show(session.events(), seen), asio::detached);
    co_await session.start();
    std::cout << "bob's session is established (session id " << session.session_id() << ")\n";

    for (int i = 1; i <= 3; ++i)
        co_await say(m, channel, alice, "hello " + std::to_string(i));
    co_await pause(std::chrono::milliseconds(200));
    if (where.local) {
        std::cout << "cutting bob's connection; alice keeps writing\n";
        where.local->drop_sessions(bob);
        co_await say(m, channel, alice, "sent while bob was away");
        co_await pause(std::chrono::milliseconds(1500));
    }
    co_await say(m, channel, alice, "goodbye");
    co_await pause(std::chrono::milliseconds(300));
    co_await session.stop();
    while (!seen->stopped)
        co_await pause(std::chrono::milliseconds(10));
    const auto st = session.stats();
    std::cout << "bob saw " << seen->messages << " messages; " << st.attempts << " connection attempt(s), " << st.replayed
              << " message(s) caught up, " << st.duplicates_skipped << " duplicate(s) skipped\n";
    id::delete_app_instance_request del{.app_instance_arn = app};
    co_await ids.delete_app_instance(std::move(del));
}

} // namespace

int main() try {
    example::target where;
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, demo(where), asio::use_future);
    ioc.run();
    done.get();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "messaging_session: " << e.what() << "\n";
    return 1;
}
