// Item streams against chime-local: 10,000 messages in a channel listed 50 at a time, both sort orders, a
// NotBefore/NotAfter window, the total-item limit (counted by chime-local's own request counters), and
// prefetch giving the same result.

#include "local/local_support.hpp"

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace msg = chime::messaging;
namespace id = chime::identity;
using chime::test::run;
using time_point = std::chrono::system_clock::time_point;

namespace {

constexpr int message_count = 10'000;

struct channel_under_test {
    std::string channel, bearer;
};

asio::awaitable<channel_under_test> prepare(const chime::client_config& cfg) {
    const auto ex = co_await asio::this_coro::executor;
    id::client ids(ex, cfg);
    msg::client m(ex, cfg);
    id::create_app_instance_request ai{.name = "streams"};
    const auto app = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    id::create_app_instance_user_request u{.app_instance_arn = app, .app_instance_user_id = "lister", .name = "Lister"};
    const auto user = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    msg::create_channel_request ch{.app_instance_arn = app, .name = "history", .chime_bearer = user};
    const auto created = co_await m.create_channel(std::move(ch));
    channel_under_test out;
    out.channel = *created.channel_arn;
    out.bearer = user;
    co_return out;
}

asio::awaitable<void> sender(msg::client& m, const channel_under_test& t, int& next, int& active,
                             asio::steady_timer& done) {
    while (next < message_count) {
        const int n = next++;
        msg::send_channel_message_request r{.channel_arn = t.channel, .content = "message " + std::to_string(n),
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = t.bearer};
        co_await m.send_channel_message(std::move(r));
    }
    if (--active == 0)
        done.cancel();
}

asio::awaitable<void> send_all(msg::client& m, const channel_under_test& t) {
    const auto ex = co_await asio::this_coro::executor;
    int next = 0, active = 32;
    asio::steady_timer done(ex, asio::steady_timer::time_point::max());
    for (int i = 0; i < 32; ++i)
        asio::co_spawn(ex, sender(m, t, next, active, done), asio::detached);
    boost::system::error_code ec;
    co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

struct listed {
    std::vector<std::string> ids;
    std::vector<time_point> created;
};

asio::awaitable<listed> list(msg::client& m, msg::list_channel_messages_request req, chime::pagination_options o = {}) {
    listed out;
    auto items = m.list_channel_messages_items(std::move(req), o);
    while (auto s = co_await items.next()) {
        out.ids.push_back(*s->message_id);
        out.created.push_back(*s->created_timestamp);
    }
    co_return out;
}

double list_requests(const chime::local::server& server) {
    const auto stats = server.stats();
    const auto* by = stats.at("by_operation").as_object().if_contains("ListChannelMessages");
    return by ? by->as_object().at("200").to_number<double>() : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pagination_against_chime_local)

BOOST_AUTO_TEST_CASE(ten_thousand_messages_fifty_at_a_time) {
    chime::test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto cfg = local.config();
        const auto t = co_await prepare(cfg);
        msg::client m(co_await asio::this_coro::executor, cfg);
        co_await send_all(m, t);

        msg::list_channel_messages_request asc{.channel_arn = t.channel, .sort_order = msg::sort_order::ascending,
                                               .max_results = 50, .chime_bearer = t.bearer};
        const double before = list_requests(local.server);
        const auto up = co_await list(m, asc);
        BOOST_TEST(list_requests(local.server) - before == message_count / 50.0);
        BOOST_REQUIRE_EQUAL(up.ids.size(), std::size_t(message_count));
        BOOST_TEST(std::set<std::string>(up.ids.begin(), up.ids.end()).size() == std::size_t(message_count));
        BOOST_TEST(std::is_sorted(up.created.begin(), up.created.end()));

        auto desc = asc;
        desc.sort_order = msg::sort_order::descending;
        auto down = co_await list(m, desc);
        std::reverse(down.ids.begin(), down.ids.end());
        BOOST_TEST(down.ids == up.ids); // the same messages, the other way round

        // Prefetch changes when pages are requested, not what is delivered.
        BOOST_TEST((co_await list(m, asc, {.prefetch = true})).ids == up.ids);

        // A window: every message created in [created[2000], created[7000]], inclusive, in order.
        auto window = asc;
        window.not_before = up.created[2000];
        window.not_after = up.created[7000];
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < up.ids.size(); ++i)
            if (up.created[i] >= *window.not_before && up.created[i] <= *window.not_after)
                expected.push_back(up.ids[i]);
        BOOST_TEST(expected.size() >= 5001u);
        BOOST_TEST((co_await list(m, window)).ids == expected);

        // The item limit: 120 items are three pages of 50, and no fourth request, with or without prefetch.
        for (const bool prefetch : {false, true}) {
            const double at = list_requests(local.server);
            const auto first = co_await list(m, asc, {.max_items = 120, .prefetch = prefetch});
            BOOST_TEST(first.ids == std::vector<std::string>(up.ids.begin(), up.ids.begin() + 120));
            BOOST_TEST(list_requests(local.server) - at == 3.0);
        }
    }());
}

BOOST_AUTO_TEST_SUITE_END()
