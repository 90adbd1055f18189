// The generated page and item streams against a scripted server: token following, empty pages, a repeated
// token, an error on page 3, the total-item limit, prefetch, and the generic (JSON) streams chimectl uses.

#include "support/test_server.hpp"
#include "support/test_support.hpp"

#include <chime/auth/credentials_provider.hpp>
#include <chime/invoke.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace msg = chime::messaging;
using namespace std::chrono_literals;
using chime::test::received_request;
using chime::test::reply;
using chime::test::run;
using chime::test::test_server;

namespace {

chime::client_config config_for(const test_server& s) {
    chime::client_config c;
    c.region = "us-east-1";
    c.endpoint_url = s.url();
    c.credentials = chime::auth::make_static_provider({"AKIDTEST", "test/secret", "", {}, ""});
    c.transport.pool.tls.ca_file = chime::test::loopback_ca_file();
    return c;
}

msg::list_channel_messages_request listing(int page_size = 10) {
    return {.channel_arn = "arn:aws:chime:us-east-1:1:app-instance/a/channel/c",
            .max_results = page_size,
            .chime_bearer = "arn:aws:chime:us-east-1:1:app-instance/a/user/u"};
}

std::string query_value(const std::string& target, const std::string& key) {
    const auto at = target.find(key + "=");
    if (at == std::string::npos)
        return {};
    const auto start = at + key.size() + 1;
    return target.substr(start, target.find('&', start) - start);
}

// A script of pages: the page for each incoming token ("" for the first request), as JSON bodies;
// a token without a page is answered 400.
struct script {
    std::map<std::string, std::string> pages;
    reply operator()(const received_request& r) const {
        const auto it = pages.find(query_value(r.target, "next-token"));
        if (it == pages.end())
            return reply{.status = 400, .body = R"({"Code":"BadRequestException","Message":"page 3 is broken"})"};
        return reply{.body = it->second};
    }
};

std::string page(int first, int count, const std::string& next = "") {
    std::string items;
    for (int i = first; i < first + count; ++i)
        items += std::string(items.empty() ? "" : ",") + R"({"MessageId":")" + std::to_string(i) + R"("})";
    return R"({"ChannelArn":"c","ChannelMessages":[)" + items + "]" +
           (next.empty() ? "" : R"(,"NextToken":")" + next + "\"") + "}";
}

// Ten pages of ten, tokens t1..t9.
script ten_pages() {
    script s;
    for (int p = 0; p < 10; ++p)
        s.pages[p == 0 ? "" : "t" + std::to_string(p)] = page(p * 10, 10, p < 9 ? "t" + std::to_string(p + 1) : "");
    return s;
}

asio::awaitable<std::vector<std::string>> all_ids(msg::client& c, msg::list_channel_messages_request req,
                                                  chime::pagination_options o = {}) {
    std::vector<std::string> ids;
    auto items = c.list_channel_messages_items(std::move(req), o);
    while (auto m = co_await items.next())
        ids.push_back(*m->message_id);
    co_return ids;
}

std::vector<std::string> range_ids(int first, int count) {
    std::vector<std::string> out;
    for (int i = first; i < first + count; ++i)
        out.push_back(std::to_string(i));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pagination_streams)

BOOST_AUTO_TEST_CASE(items_and_pages_follow_next_token_to_the_end) {
    test_server server({}, ten_pages());
    run([&]() -> asio::awaitable<void> {
        msg::client c(co_await asio::this_coro::executor, config_for(server));
        const auto ids = co_await all_ids(c, listing());
        BOOST_TEST(ids == range_ids(0, 100), boost::test_tools::per_element());

        int pages = 0;
        auto stream = c.list_channel_messages_pages(listing());
        while (auto p = co_await stream.next()) {
            BOOST_TEST(p->channel_messages->size() == 10u);
            ++pages;
        }
        BOOST_TEST(pages == 10);
    }());
    const auto reqs = server.requests();
    BOOST_REQUIRE_EQUAL(reqs.size(), 20u);
    BOOST_TEST(query_value(reqs[0].target, "max-results") == "10");
    BOOST_TEST(query_value(reqs[1].target, "next-token") == "t1");
    BOOST_TEST(query_value(reqs[9].target, "max-results") == "10"); // the page size on every request
}

BOOST_AUTO_TEST_CASE(an_empty_page_with_a_token_continues) {
    script s;
    s.pages[""] = page(0, 0, "a");
    s.pages["a"] = page(0, 0, "b");
    s.pages["b"] = page(0, 3);
    test_server server({}, s);
    run([&]() -> asio::awaitable<void> {
        msg::client c(co_await asio::this_coro::executor, config_for(server));
        BOOST_TEST(co_await all_ids(c, listing()) == range_ids(0, 3), boost::test_tools::per_element());
    }());
}

BOOST_AUTO_TEST_CASE(a_repeated_token_ends_the_stream_with_pagination_loop) {
    script s; // t1 -> t2 -> t1 -> ...: a service bug that would list forever
    s.pages[""] = page(0, 2, "t1");
    s.pages["t1"] = page(2, 2, "t2");
    s.pages["t2"] = page(4, 2, "t1");
    test_server server({}, s);
    run([&]() -> asio::awaitable<void> {
        msg::client c(co_await asio::this_coro::executor, config_for(server));
        std::vector<std::string> ids;
        chime::error_code code;
        try {
            auto items = c.list_channel_messages_items(listing());
            while (auto m = co_await items.next())
                ids.push_back(*m->message_id);
        } catch (const chime::exception& e) {
            code = e.code();
            BOOST_TEST(std::string(e.what()).find("ListChannelMessages returned a NextToken it had already returned") !=
                       std::string::npos);
        }
        BOOST_TEST((code == chime::errc::pagination_loop));
        BOOST_TEST(ids == range_ids(0, 6), boost::test_tools::per_element()); // what arrived is kept
    }());
    BOOST_TEST(server.requests().size() == 3u);
}

BOOST_AUTO_TEST_CASE(an_error_on_page_three_arrives_after_the_items_of_pages_one_and_two) {
    for (const bool prefetch : {false, true}) {
        script s;
        s.pages[""] = page(0, 5, "t1");
        s.pages["t1"] = page(5, 5, "t2"); // no page for t2: 400
        test_server server({}, s);
        run([&]() -> asio::awaitable<void> {
            msg::client c(co_await asio::this_coro::executor, config_for(server));
            std::vector<std::string> ids;
            bool bad_request = false;
            auto items = c.list_channel_messages_items(listing(), {.prefetch = prefetch});
            try {
                while (auto m = co_await items.next())
                    ids.push_back(*m->message_id);
            } catch (const chime::exception& e) {
                bad_request = e.code() == chime::aws_errc::bad_request && e.diag().http_status == 400u;
            }
            BOOST_TEST(bad_request);
            BOOST_TEST(ids == range_ids(0, 10), boost::test_tools::per_element());
            bool again = false; // the stream stays failed
            try {
                co_await items.next();
            } catch (const chime::exception& e) {
                again = e.code() == chime::aws_errc::bad_request;
            }
            BOOST_TEST(again);
        }());
    }
}

BOOST_AUTO_TEST_CASE(the_item_limit_stops_without_fetching_further_pages) {
    for (const bool prefetch : {false, true}) {
        test_server server({}, ten_pages());
        run([&]() -> asio::awaitable<void> {
            msg::client c(co_await asio::this_coro::executor, config_for(server));
            const chime::pagination_options o{.max_items = 25, .prefetch = prefetch};
            BOOST_TEST(co_await all_ids(c, listing(), o) == range_ids(0, 25), boost::test_tools::per_element());
            std::size_t items_in_pages = 0;
            auto pages = c.list_channel_messages_pages(listing(), {.max_items = 30});
            while (auto p = co_await pages.next())
                items_in_pages += p->channel_messages->size();
            BOOST_TEST(items_in_pages == 30u); // the last page cut to the limit
            const chime::pagination_options none{.max_items = 0};
            BOOST_TEST((co_await all_ids(c, listing(), none)).empty());
        }());
        BOOST_TEST(server.requests().size() == 6u); // 3 pages for 25 items, 3 for 30, none for 0
    }
}

BOOST_AUTO_TEST_CASE(prefetch_requests_the_next_page_while_the_consumer_holds_this_one) {
    for (const bool prefetch : {false, true}) {
        test_server server({}, ten_pages());
        run([&]() -> asio::awaitable<void> {
            const auto ex = co_await asio::this_coro::executor;
            msg::client c(ex, config_for(server));
            auto pages = c.list_channel_messages_pages(listing(), {.prefetch = prefetch});
            const auto first = co_await pages.next();
            BOOST_TEST(first->channel_messages->size() == 10u);
            if (prefetch) { // the second request arrives although the consumer has not asked (bounded wait)
                asio::steady_timer t(ex);
                for (int i = 0; i < 500 && server.requests().size() < 2; ++i) {
                    t.expires_after(10ms);
                    co_await t.async_wait(asio::use_awaitable);
                }
                BOOST_TEST(server.requests().size() == 2u);
            } else { // lazy: only what was asked for was requested
                BOOST_TEST(server.requests().size() == 1u);
            }
            int rest = 0;
            while (auto p = co_await pages.next())
                ++rest;
            BOOST_TEST(rest == 9);
        }());
        BOOST_TEST(server.requests().size() == 10u);
    }
}

BOOST_AUTO_TEST_CASE(generic_json_streams_and_call_all_pages) {
    test_server server({}, ten_pages());
    run([&]() -> asio::awaitable<void> {
        chime::generic_client c(co_await asio::this_coro::executor, "chime-sdk-messaging", config_for(server));
        const json::value input = {{"ChannelArn", "arn:aws:chime:us-east-1:1:app-instance/a/channel/c"},
                                   {"ChimeBearer", "arn:aws:chime:us-east-1:1:app-instance/a/user/u"},
                                   {"MaxResults", 10}};
        BOOST_TEST(c.result_key("list-channel-messages") == "ChannelMessages");
        int n = 0, pages_seen = 0;
        auto items = c.items("list-channel-messages", input, {.max_items = 42},
                             [&pages_seen](const json::object& p) { pages_seen += p.contains("ChannelArn"); });
        while (auto item = co_await items.next())
            BOOST_TEST(item->at("MessageId").as_string() == std::to_string(n++));
        BOOST_TEST(n == 42);
        BOOST_TEST(pages_seen == 5);

        const auto merged = co_await c.call_all_pages("ListChannelMessages", input);
        BOOST_REQUIRE(merged);
        BOOST_TEST(merged->at("ChannelMessages").as_array().size() == 100u);
        BOOST_TEST(merged->at("ChannelArn").as_string() == "c");
        BOOST_TEST(!merged->as_object().contains("NextToken"));

        bool refused = false;
        try {
            auto none = c.items("describe-channel", input);
            co_await none.next();
        } catch (const chime::exception& e) {
            refused = e.code() == chime::errc::invalid_request &&
                      std::string(e.what()).find("DescribeChannel has no pagination") != std::string::npos;
        }
        BOOST_TEST(refused);
    }());
}

BOOST_AUTO_TEST_SUITE_END()
