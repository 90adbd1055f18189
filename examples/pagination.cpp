// The pagination streams on their own: 120 messages in a channel, then read back as an item stream (all of
// them, 50 per page, the next page requested while the current one is consumed), as an item stream that
// stops after 25 items, and as a page stream. Against AWS (AWS_ENDPOINT_URL or credentials set) it creates
// and finally deletes its own app instance.

#include "example_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;

namespace {

asio::awaitable<void> demo(example::target& where) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, where.config);
    msg::client m(ex, where.config);
    id::create_app_instance_request ai{.name = "chime-cpp pagination example"};
    const std::string app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = "writer", .name = "writer"};
    const std::string me = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    msg::create_channel_request ch{.app_instance_arn = app, .name = "example", .chime_bearer = me};
    const std::string channel = *(co_await m.create_channel(std::move(ch))).channel_arn;
    constexpr int total = 120;
    for (int i = 0; i < total; ++i) {
        msg::send_channel_message_request r{.channel_arn = channel, .content = "message " + std::to_string(i),
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = me};
        co_await m.send_channel_message(std::move(r));
    }

    // Every item, oldest first, 50 per page, with one page of read-ahead.
    msg::list_channel_messages_request all{.channel_arn = channel, .sort_order = msg::sort_order::ascending,
                                           .max_results = 50, .chime_bearer = me};
    chime::pagination_options ahead;
    ahead.prefetch = true;
    auto items = m.list_channel_messages_items(all, ahead);
    int count = 0;
    std::string first, last;
    while (auto item = co_await items.next()) {
        if (count++ == 0)
            first = item->content.value_or("");
        last = item->content.value_or("");
    }
    std::cout << "item stream: " << count << " messages, from \"" << first << "\" to \"" << last << "\"\n";

    // The newest 25 only: the stream stops without requesting a further page.
    msg::list_channel_messages_request newest{.channel_arn = channel, .max_results = 10, .chime_bearer = me};
    chime::pagination_options some;
    some.max_items = 25;
    auto latest = m.list_channel_messages_items(newest, some);
    int taken = 0;
    while (auto item = co_await latest.next())
        ++taken;
    std::cout << "item stream with max_items 25, 10 per page: " << taken << " messages\n";

    // Pages, for when the page matters (its size, its token).
    auto pages = m.list_channel_messages_pages(all);
    int n = 0;
    while (auto page = co_await pages.next())
        std::cout << "page " << ++n << ": " << (page->channel_messages ? page->channel_messages->size() : 0) << " messages" << (page->next_token ? ", more to come" : ", the last") << "\n";

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
    std::cerr << "pagination: " << e.what() << "\n";
    return 1;
}
