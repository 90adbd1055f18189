// chime-local's `chime` service (accounts, users, bots, rooms, room memberships) and meetings with
// attendees, through the `chime` client and the chime-sdk-meetings client.

#include "local/local_support.hpp"

#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/meetings/client.hpp>

#include <boost/test/unit_test.hpp>

using namespace chime;
namespace asio = boost::asio;
namespace cl = chime::classic;
namespace mt = chime::meetings;
namespace id = chime::identity;
using chime::test::run;

BOOST_AUTO_TEST_SUITE(chime_local_rooms_and_meetings)

BOOST_AUTO_TEST_CASE(rooms_with_users_bots_and_partial_batch_errors) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        cl::client c(ex, local.config());
        cl::create_account_request a{.name = "team"};
        const auto account = (co_await c.create_account(std::move(a))).account->account_id;
        cl::create_user_request u{.account_id = account, .email = "jane@example.com"};
        const auto user = (co_await c.create_user(std::move(u))).user->user_id;
        cl::create_bot_request b{.account_id = account, .display_name = "helper", .domain = "example.com"};
        const auto bot = (co_await c.create_bot(std::move(b))).bot->bot_id.value();
        cl::create_room_request r{.account_id = account, .name = "standup"};
        const auto room = (co_await c.create_room(std::move(r))).room->room_id.value();

        cl::create_room_membership_request m{.account_id = account, .room_id = room, .member_id = user,
                                             .role = cl::room_membership_role::administrator};
        const auto added = co_await c.create_room_membership(std::move(m));
        BOOST_TEST((added.room_membership->member->member_type == cl::member_type::user));
        cl::batch_create_room_membership_request batch{
            .account_id = account, .room_id = room,
            .membership_item_list = {cl::membership_item{.member_id = bot}, cl::membership_item{.member_id = "ghost"},
                                     cl::membership_item{.member_id = user}}};
        const auto partial = co_await c.batch_create_room_membership(std::move(batch));
        BOOST_REQUIRE(partial.errors->size() == 2u); // ghost does not exist; the user is already in
        BOOST_TEST((partial.errors->at(0).error_code == cl::error_code::not_found));
        BOOST_TEST((partial.errors->at(1).error_code == cl::error_code::conflict));

        cl::list_room_memberships_request l{.account_id = account, .room_id = room, .max_results = 1};
        const auto page = co_await c.list_room_memberships(l);
        BOOST_TEST(page.room_memberships->size() == 1u);
        BOOST_TEST(page.next_token.has_value());
        cl::list_rooms_request lr{.account_id = account, .member_id = bot};
        BOOST_TEST((co_await c.list_rooms(std::move(lr))).rooms->size() == 1u);

        cl::delete_room_request d{.account_id = account, .room_id = room};
        co_await c.delete_room(std::move(d));
        cl::get_room_request g{.account_id = account, .room_id = room};
        const auto gone = co_await c.get_room(std::move(g), no_throw);
        BOOST_TEST((!gone && gone.error().code == aws_errc::not_found));
    }());
}

BOOST_AUTO_TEST_CASE(meetings_attendees_and_cascading_delete) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        mt::client m(ex, local.config());
        mt::create_meeting_request cm{.media_region = "us-east-1", .external_meeting_id = "standup-1"};
        const auto meeting = (co_await m.create_meeting(std::move(cm))).meeting.value();
        BOOST_TEST(meeting.media_placement->signaling_url->starts_with("wss://"));
        BOOST_TEST(meeting.meeting_arn->find(":meeting/" + *meeting.meeting_id) != std::string::npos);

        mt::batch_create_attendee_request b{.meeting_id = *meeting.meeting_id,
                                            .attendees = {{.external_user_id = "user-1"}, {.external_user_id = "x"},
                                                          {.external_user_id = "user-2"}}};
        const auto batch = co_await m.batch_create_attendee(std::move(b));
        BOOST_TEST(batch.attendees->size() == 2u);
        BOOST_REQUIRE(batch.errors->size() == 1u);
        BOOST_TEST(*batch.errors->at(0).error_code == "BadRequest");
        BOOST_TEST(!batch.attendees->at(0).join_token->empty());

        mt::list_attendees_request l{.meeting_id = *meeting.meeting_id};
        BOOST_TEST((co_await m.list_attendees(l)).attendees->size() == 2u);
        mt::delete_meeting_request d{.meeting_id = *meeting.meeting_id};
        co_await m.delete_meeting(std::move(d));
        const auto after = co_await m.list_attendees(l, no_throw);
        BOOST_TEST((!after && after.error().code == aws_errc::not_found));

        // The `chime` service's CreateMeeting lands on the same meetings.
        cl::client classic(ex, local.config());
        cl::create_meeting_request legacy{.client_request_token = "legacy-1"};
        const auto lm = co_await classic.create_meeting(std::move(legacy));
        cl::get_attendee_request ga{.meeting_id = *lm.meeting->meeting_id, .attendee_id = "none"};
        const auto missing = co_await classic.get_attendee(std::move(ga), no_throw);
        BOOST_TEST((!missing && missing.error().code == aws_errc::not_found));
        mt::create_meeting_request invalid{.media_region = "us-east-1"};
        const auto rejected = co_await m.create_meeting(std::move(invalid), no_throw);
        BOOST_TEST(!rejected); // ExternalMeetingId is required (client-side check first)
    }());
}

BOOST_AUTO_TEST_CASE(capabilities_transcription_bots_and_endpoints) {
    test::local_emulator local;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        mt::client m(ex, local.config());
        mt::create_meeting_with_attendees_request cm{.media_region = "us-east-1", .external_meeting_id = "all-hands",
                                                     .attendees = {{.external_user_id = "host"}, {.external_user_id = "guest"}}};
        const auto created = co_await m.create_meeting_with_attendees(std::move(cm));
        const auto meeting_id = *created.meeting->meeting_id;
        const auto host = *created.attendees->at(0).attendee_id;
        const mt::attendee_capabilities muted{.audio = mt::media_capabilities::receive,
                                              .video = mt::media_capabilities::none,
                                              .content = mt::media_capabilities::receive};
        mt::batch_update_attendee_capabilities_except_request all_but_host{
            .meeting_id = meeting_id, .excluded_attendee_ids = {{.attendee_id = host}}, .capabilities = muted};
        co_await m.batch_update_attendee_capabilities_except(std::move(all_but_host));
        mt::list_attendees_request l{.meeting_id = meeting_id};
        const auto attendees = co_await m.list_attendees(l);
        for (const auto& a : *attendees.attendees)
            BOOST_TEST(a.capabilities.has_value() == (*a.attendee_id != host));

        mt::start_meeting_transcription_request start{.meeting_id = meeting_id, .transcription_configuration = {}};
        co_await m.start_meeting_transcription(std::move(start));
        mt::stop_meeting_transcription_request stop{.meeting_id = meeting_id};
        co_await m.stop_meeting_transcription(stop);
        BOOST_TEST(!(co_await m.stop_meeting_transcription(stop, no_throw))); // nothing running any more

        id::client ids(ex, local.config());
        id::create_app_instance_request ai_req{.name = "bots"};
        const auto ai = *(co_await ids.create_app_instance(std::move(ai_req))).app_instance_arn;
        id::create_app_instance_bot_request b{
            .app_instance_arn = ai, .name = "helper",
            .configuration = {.lex = {.lex_bot_alias_arn = "arn:aws:lex:us-east-1:123456789012:bot-alias/B/A", .locale_id = "en_US"}}};
        const auto bot = *(co_await ids.create_app_instance_bot(std::move(b))).app_instance_bot_arn;
        id::list_app_instance_bots_request lb{.app_instance_arn = ai};
        BOOST_TEST(*(co_await ids.list_app_instance_bots(std::move(lb))).app_instance_bots->at(0).app_instance_bot_arn == bot);

        id::create_app_instance_user_request u{.app_instance_arn = ai, .app_instance_user_id = "phone", .name = "phone"};
        const auto user = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
        id::register_app_instance_user_endpoint_request reg{
            .app_instance_user_arn = user, .type = id::app_instance_user_endpoint_type::gcm,
            .resource_arn = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/app", .endpoint_attributes = {.device_token = "tok"}};
        const auto endpoint = *(co_await ids.register_app_instance_user_endpoint(std::move(reg))).endpoint_id;
        id::describe_app_instance_user_endpoint_request de{.app_instance_user_arn = user, .endpoint_id = endpoint};
        const auto described = co_await ids.describe_app_instance_user_endpoint(de);
        BOOST_TEST((described.app_instance_user_endpoint->endpoint_state->status == id::endpoint_status::active));
        id::deregister_app_instance_user_endpoint_request dr{.app_instance_user_arn = user, .endpoint_id = endpoint};
        co_await ids.deregister_app_instance_user_endpoint(std::move(dr));
        BOOST_TEST(!(co_await ids.describe_app_instance_user_endpoint(de, no_throw)));
    }());
}

BOOST_AUTO_TEST_SUITE_END()
