// chime-local's messaging semantics, driven through the generated clients over HTTPS: app instances and
// users, channels (mode, privacy), memberships, moderators, bans, messages, pagination, idempotency,
// channel flows, and AWS's error wire format.

#include "local/chat_fixture.hpp"
#include "local/local_support.hpp"

#include "chime-local/state.hpp"

#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

using namespace chime;
namespace asio = boost::asio;
namespace msg = chime::messaging;
namespace id = chime::identity;
using chime::test::chat;
using chime::test::make_chat;
using chime::test::run;

namespace {

asio::awaitable<std::string> send(msg::client& m, const chat& c, const std::string& from, std::string text,
                                  std::string token = {}) {
    msg::send_channel_message_request r{.channel_arn = c.channel, .content = std::move(text),
                                        .type = msg::channel_message_type::standard,
                                        .persistence = msg::channel_message_persistence_type::persistent,
                                        .client_request_token = std::move(token), .chime_bearer = from};
    co_return *(co_await m.send_channel_message(std::move(r))).message_id;
}


} // namespace

BOOST_AUTO_TEST_SUITE(chime_local_messaging)

BOOST_AUTO_TEST_CASE(a_conversation_with_paginated_history) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        std::vector<std::string> sent;
        for (int i = 0; i < 7; ++i)
            sent.push_back(co_await send(m, c, i % 2 ? c.alice : c.bob, "message " + std::to_string(i)));

        // Newest first by default; three pages of 3, 3 and 1 with opaque tokens.
        std::vector<std::string> seen;
        std::optional<std::string> token;
        int pages = 0;
        do {
            msg::list_channel_messages_request l{.channel_arn = c.channel, .max_results = 3, .next_token = token,
                                                 .chime_bearer = c.alice};
            auto page = co_await m.list_channel_messages(std::move(l));
            for (const auto& s : *page.channel_messages)
                seen.push_back(*s.message_id);
            token = page.next_token;
            ++pages;
        } while (token);
        BOOST_TEST(pages == 3);
        std::vector<std::string> newest_first(sent.rbegin(), sent.rend());
        BOOST_TEST(seen == newest_first, boost::test_tools::per_element());

        msg::list_channel_messages_request asc{.channel_arn = c.channel, .sort_order = msg::sort_order::ascending,
                                               .max_results = 50, .chime_bearer = c.bob};
        const auto all = co_await m.list_channel_messages(std::move(asc));
        BOOST_TEST(*all.channel_messages->front().content == "message 0");
        BOOST_TEST(*all.channel_messages->front().sender->name == "bob");
        BOOST_TEST(!all.next_token);

        msg::list_channel_messages_request bad{.channel_arn = c.channel, .max_results = 51, .chime_bearer = c.bob};
        const auto too_many = co_await m.list_channel_messages(std::move(bad), no_throw);
        BOOST_REQUIRE(!too_many);
        BOOST_TEST((too_many.error().code == aws_errc::bad_request));
        msg::list_channel_messages_request forged{.channel_arn = c.channel, .next_token = "not-a-token",
                                                  .chime_bearer = c.bob};
        BOOST_TEST(!(co_await m.list_channel_messages(std::move(forged), no_throw)));
    }());
}

BOOST_AUTO_TEST_CASE(edit_redact_delete_and_who_may) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        const auto mid = co_await send(m, c, c.bob, "first draft");

        msg::update_channel_message_request by_alice{.channel_arn = c.channel, .message_id = mid, .content = "hijack",
                                                     .chime_bearer = c.alice};
        const auto refused = co_await m.update_channel_message(std::move(by_alice), no_throw);
        BOOST_TEST((!refused && refused.error().code == aws_errc::forbidden));
        msg::update_channel_message_request by_bob{.channel_arn = c.channel, .message_id = mid, .content = "final",
                                                   .chime_bearer = c.bob};
        co_await m.update_channel_message(std::move(by_bob));
        msg::get_channel_message_request get{.channel_arn = c.channel, .message_id = mid, .chime_bearer = c.alice};
        auto got = co_await m.get_channel_message(get);
        BOOST_TEST(*got.channel_message->content == "final");
        BOOST_TEST(got.channel_message->last_edited_timestamp.has_value());

        // The creator moderates: she may redact bob's message; content goes, the message stays.
        msg::redact_channel_message_request redact{.channel_arn = c.channel, .message_id = mid, .chime_bearer = c.alice};
        co_await m.redact_channel_message(std::move(redact));
        got = co_await m.get_channel_message(get);
        BOOST_TEST(*got.channel_message->redacted);
        BOOST_TEST(got.channel_message->content->empty());

        msg::delete_channel_message_request del{.channel_arn = c.channel, .message_id = mid, .chime_bearer = c.bob};
        co_await m.delete_channel_message(std::move(del));
        const auto gone = co_await m.get_channel_message(get, no_throw);
        BOOST_TEST((!gone && gone.error().code == aws_errc::not_found));
        BOOST_TEST(gone.error().diag->http_status == 404u);
        BOOST_TEST(!gone.error().diag->request_id.empty());
    }());
}

BOOST_AUTO_TEST_CASE(private_restricted_channels_and_bans) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m, msg::channel_mode::restricted, msg::channel_privacy::private_);

        // Invisible to a non-member.
        msg::describe_channel_request peek{.channel_arn = c.channel, .chime_bearer = c.carol};
        const auto hidden = co_await m.describe_channel(peek, no_throw);
        BOOST_TEST((!hidden && hidden.error().code == aws_errc::forbidden));
        msg::list_channels_request list{.app_instance_arn = c.app_instance, .chime_bearer = c.carol};
        BOOST_TEST((co_await m.list_channels(list)).channels->empty()); // public listing

        // Restricted: bob (a plain member) cannot add carol; alice (moderator) can.
        msg::create_channel_membership_request by_bob{.channel_arn = c.channel, .member_arn = c.carol,
                                                      .type = msg::channel_membership_type::default_, .chime_bearer = c.bob};
        const auto refused = co_await m.create_channel_membership(std::move(by_bob), no_throw);
        BOOST_TEST((!refused && refused.error().code == aws_errc::forbidden));
        msg::create_channel_membership_request by_alice{.channel_arn = c.channel, .member_arn = c.carol,
                                                        .type = msg::channel_membership_type::default_, .chime_bearer = c.alice};
        co_await m.create_channel_membership(std::move(by_alice));
        BOOST_TEST((co_await m.describe_channel(peek)).channel->name.value() == "general");

        // A ban removes the membership and keeps the user out.
        msg::create_channel_ban_request ban{.channel_arn = c.channel, .member_arn = c.carol, .chime_bearer = c.alice};
        co_await m.create_channel_ban(std::move(ban));
        msg::describe_channel_membership_request dm{.channel_arn = c.channel, .member_arn = c.carol, .chime_bearer = c.alice};
        const auto member = co_await m.describe_channel_membership(dm, no_throw);
        BOOST_TEST((!member && member.error().code == aws_errc::not_found));
        msg::create_channel_membership_request again{.channel_arn = c.channel, .member_arn = c.carol,
                                                     .type = msg::channel_membership_type::default_, .chime_bearer = c.alice};
        const auto readd = co_await m.create_channel_membership(std::move(again), no_throw);
        BOOST_TEST((!readd && readd.error().code == aws_errc::forbidden));

        // Batch: partial errors, the rest added.
        msg::batch_create_channel_membership_request batch{.channel_arn = c.channel,
                                                           .member_arns = {c.carol, c.app_instance + "/user/nobody"},
                                                           .chime_bearer = c.alice};
        const auto b = co_await m.batch_create_channel_membership(std::move(batch));
        BOOST_TEST(b.errors->size() == 2u); // carol is banned, nobody does not exist
        BOOST_TEST(b.batch_channel_memberships->members->empty());

        msg::list_channel_moderators_request mods{.channel_arn = c.channel, .chime_bearer = c.bob};
        const auto ml = co_await m.list_channel_moderators(std::move(mods));
        BOOST_TEST(ml.channel_moderators->size() == 1u);
        BOOST_TEST(*ml.channel_moderators->at(0).moderator->arn == c.alice);
    }());
}

BOOST_AUTO_TEST_CASE(a_repeated_client_request_token_returns_the_original) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        const auto first = co_await send(m, c, c.bob, "once", "token-1");
        const auto second = co_await send(m, c, c.bob, "once", "token-1");
        BOOST_TEST(first == second);
        msg::list_channel_messages_request l{.channel_arn = c.channel, .chime_bearer = c.bob};
        BOOST_TEST((co_await m.list_channel_messages(std::move(l))).channel_messages->size() == 1u);
        msg::send_channel_message_request other{.channel_arn = c.channel, .content = "different",
                                                .type = msg::channel_message_type::standard,
                                                .persistence = msg::channel_message_persistence_type::persistent,
                                                .client_request_token = "token-1", .chime_bearer = c.bob};
        const auto clash = co_await m.send_channel_message(std::move(other), no_throw);
        BOOST_TEST((!clash && clash.error().code == aws_errc::conflict));
    }());
}

BOOST_AUTO_TEST_CASE(channel_flows_hold_messages_until_the_callback) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        co_await test::moderate_with_flow(m, c);

        const auto kept = co_await send(m, c, c.bob, "needs review");
        const auto denied = co_await send(m, c, c.bob, "spam");
        msg::get_channel_message_status_request st{.channel_arn = c.channel, .message_id = kept, .chime_bearer = c.bob};
        BOOST_TEST(((co_await m.get_channel_message_status(st)).status->value == msg::channel_message_status::pending));
        msg::list_channel_messages_request others_view{.channel_arn = c.channel, .chime_bearer = c.alice};
        BOOST_TEST((co_await m.list_channel_messages(others_view)).channel_messages->empty()); // pending: sender only

        msg::channel_flow_callback_request ok{.callback_id = "cb-1", .channel_arn = c.channel,
                                              .channel_message = {.message_id = kept, .content = "reviewed"}};
        co_await m.channel_flow_callback(std::move(ok));
        msg::channel_flow_callback_request no{.callback_id = "cb-2", .channel_arn = c.channel, .delete_resource = true,
                                              .channel_message = {.message_id = denied}};
        co_await m.channel_flow_callback(std::move(no));
        const auto visible = co_await m.list_channel_messages(others_view);
        BOOST_REQUIRE(visible.channel_messages->size() == 1u);
        BOOST_TEST(*visible.channel_messages->at(0).content == "reviewed");
        BOOST_TEST((visible.channel_messages->at(0).status->value == msg::channel_message_status::sent));
    }());
}

BOOST_AUTO_TEST_CASE(every_operation_of_the_four_services_has_a_handler) {
    const local::store s;
    const auto implemented = s.implemented();
    using table = std::span<const operation_descriptor> (*)();
    for (const table t : {table(&msg::operation_descriptors), table(&classic::operation_descriptors),
                          table(&identity::operation_descriptors), table(&meetings::operation_descriptors)})
        for (const auto& op : t())
            BOOST_TEST((std::ranges::find(implemented, op.name) != implemented.end()), op.name);
}

BOOST_AUTO_TEST_CASE(search_preferences_expiration_and_streaming) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        msg::search_channels_request both{.chime_bearer = c.bob,
                                          .fields = {{.key = msg::search_field_key::members, .values = {c.alice, c.bob},
                                                      .operator_ = msg::search_field_operator::equals}}};
        BOOST_TEST((co_await m.search_channels(std::move(both))).channels->size() == 1u);
        msg::search_channels_request with_carol{.fields = {{.key = msg::search_field_key::members, .values = {c.carol},
                                                            .operator_ = msg::search_field_operator::includes}}};
        BOOST_TEST((co_await m.search_channels(std::move(with_carol))).channels->empty());

        msg::put_channel_membership_preferences_request put{
            .channel_arn = c.channel, .member_arn = c.bob, .chime_bearer = c.bob,
            .preferences = {.push_notifications = msg::push_notification_preferences{.allow_notifications = msg::allow_notifications::none}}};
        co_await m.put_channel_membership_preferences(std::move(put));
        msg::get_channel_membership_preferences_request get{.channel_arn = c.channel, .member_arn = c.bob, .chime_bearer = c.bob};
        BOOST_TEST(((co_await m.get_channel_membership_preferences(get)).preferences->push_notifications->allow_notifications ==
                    msg::allow_notifications::none));
        get.chime_bearer = c.alice; // neither the member nor an admin
        BOOST_TEST(!(co_await m.get_channel_membership_preferences(get, no_throw)));

        msg::put_channel_expiration_settings_request exp{
            .channel_arn = c.channel, .chime_bearer = c.alice,
            .expiration_settings = msg::expiration_settings{.expiration_days = 7,
                                                            .expiration_criterion = msg::expiration_criterion::created_timestamp}};
        co_await m.put_channel_expiration_settings(std::move(exp));
        msg::describe_channel_request d{.channel_arn = c.channel, .chime_bearer = c.bob};
        BOOST_TEST((co_await m.describe_channel(d)).channel->expiration_settings->expiration_days == 7);

        msg::get_messaging_streaming_configurations_request none{.app_instance_arn = c.app_instance};
        const auto missing = co_await m.get_messaging_streaming_configurations(none, no_throw);
        BOOST_TEST((!missing && missing.error().code == aws_errc::not_found));
        msg::put_messaging_streaming_configurations_request sc{
            .app_instance_arn = c.app_instance,
            .streaming_configurations = {{.data_type = msg::messaging_data_type::channel_message,
                                          .resource_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/chat"}}};
        co_await m.put_messaging_streaming_configurations(std::move(sc));
        BOOST_TEST((co_await m.get_messaging_streaming_configurations(none)).streaming_configurations->size() == 1u);
    }());
}

// Many calls at once on a server with four threads: every send stored once, repeated tokens deduplicated.
asio::awaitable<void> send_counted(msg::client& m, const chat& c, int i, int& done, asio::steady_timer& all) {
    co_await send(m, c, i % 2 ? c.alice : c.bob, "parallel", "token-" + std::to_string(i % 40));
    if (++done == 120)
        all.cancel();
}

BOOST_AUTO_TEST_CASE(concurrent_sends_on_a_multi_threaded_server) {
    local::server_options o;
    o.threads = 4;
    test::local_emulator local(o);
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        const chat c = co_await make_chat(ids, m);
        int done = 0;
        asio::steady_timer all(ex, asio::steady_timer::time_point::max());
        for (int i = 0; i < 120; ++i)
            asio::co_spawn(ex, send_counted(m, c, i, done, all), asio::detached);
        boost::system::error_code ec;
        co_await all.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        msg::list_channel_messages_request l{.channel_arn = c.channel, .max_results = 50, .chime_bearer = c.bob};
        std::set<std::string> ids_seen;
        for (;;) {
            const auto page = co_await m.list_channel_messages(l);
            for (const auto& s : *page.channel_messages)
                ids_seen.insert(*s.message_id);
            if (!page.next_token)
                break;
            l.next_token = page.next_token;
        }
        BOOST_TEST(ids_seen.size() == 40u); // 40 distinct tokens
    }());
    BOOST_TEST(local.server.stats().at("by_operation").at("SendChannelMessage").at("201").to_number<int>() == 120);
}

BOOST_AUTO_TEST_SUITE_END()
