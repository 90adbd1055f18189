// The `chime` service's rooms and the meetings of chime-sdk-meetings: an account with a user and a bot, a
// room with memberships (a batch with a partial failure reported per member), a meeting with attendees
// (one rejected in the batch), and the cascade when the meeting ends. Against AWS (AWS_ENDPOINT_URL or
// credentials set) it deletes what it created; rooms need an Amazon Chime account (Chime's legacy service).
// External user ids and join tokens are sensitive in the model: the example prints neither.

#include "example_support.hpp"

#include <chime/classic/client.hpp>
#include <chime/meetings/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace cl = chime::classic;
namespace mt = chime::meetings;

namespace {

asio::awaitable<void> rooms(cl::client& c) {
    cl::create_account_request a{.name = "chime-cpp example"};
    const auto account = (co_await c.create_account(std::move(a))).account->account_id;
    cl::create_user_request u{.account_id = account, .email = "jane@example.com"};
    const auto user = (co_await c.create_user(std::move(u))).user->user_id;
    cl::create_bot_request b{.account_id = account, .display_name = "helper", .domain = "example.com"};
    const auto bot = (co_await c.create_bot(std::move(b))).bot->bot_id.value();
    cl::create_room_request r{.account_id = account, .name = "standup"};
    const auto room = (co_await c.create_room(std::move(r))).room->room_id.value();
    std::cout << "account " << account << ", room " << room << "\n";

    cl::create_room_membership_request admin{.account_id = account, .room_id = room, .member_id = user,
                                             .role = cl::room_membership_role::administrator};
    co_await c.create_room_membership(std::move(admin));
    cl::batch_create_room_membership_request batch{
        .account_id = account, .room_id = room,
        .membership_item_list = {cl::membership_item{.member_id = bot}, cl::membership_item{.member_id = "nobody"}}};
    const auto partial = co_await c.batch_create_room_membership(std::move(batch));
    for (const auto& e : partial.errors.value_or(std::vector<cl::member_error>{}))
        std::cout << "  not added: " << e.member_id.value_or("?") << " (" << (e.error_code ? e.error_code->value : "")
                  << ": " << e.error_message.value_or("") << ")\n";

    cl::list_room_memberships_request l{.account_id = account, .room_id = room};
    auto members = c.list_room_memberships_items(std::move(l));
    while (auto m = co_await members.next())
        std::cout << "  member " << m->member->member_id.value_or("?") << " ("
                  << (m->member->member_type ? m->member->member_type->value : "") << ", "
                  << (m->role ? m->role->value : "") << ")\n";

    cl::delete_room_request dr{.account_id = account, .room_id = room};
    co_await c.delete_room(std::move(dr));
    cl::delete_account_request da{.account_id = account};
    co_await c.delete_account(std::move(da));
    std::cout << "room and account deleted\n";
}

asio::awaitable<void> meetings(mt::client& m) {
    mt::create_meeting_request cm{.media_region = "us-east-1", .external_meeting_id = "chime-cpp-example"};
    const auto meeting = (co_await m.create_meeting(std::move(cm))).meeting.value();
    std::cout << "meeting " << *meeting.meeting_id << ", audio at " << meeting.media_placement->audio_host_url.value_or("?")
              << "\n";
    mt::batch_create_attendee_request b{.meeting_id = *meeting.meeting_id,
                                        .attendees = {{.external_user_id = "host-0001"},
                                                      {.external_user_id = "x"}, // too short: rejected
                                                      {.external_user_id = "guest-0002"}}};
    const auto batch = co_await m.batch_create_attendee(std::move(b));
    for (const auto& a : batch.attendees.value_or(std::vector<mt::attendee>{}))
        std::cout << "  attendee " << a.attendee_id.value_or("?") << " joins with a token of "
                  << a.join_token.value_or("").size() << " characters\n";
    for (const auto& e : batch.errors.value_or(std::vector<mt::create_attendee_error>{}))
        std::cout << "  rejected one attendee: " << e.error_code.value_or("") << ": " << e.error_message.value_or("") << "\n";

    mt::delete_meeting_request d{.meeting_id = *meeting.meeting_id};
    co_await m.delete_meeting(std::move(d));
    mt::list_attendees_request l{.meeting_id = *meeting.meeting_id};
    const auto after = co_await m.list_attendees(std::move(l), chime::no_throw);
    std::cout << "meeting deleted; its attendees: " << (after ? "still listed" : after.error().message()) << "\n";
}

asio::awaitable<void> demo(const chime::client_config& cfg) {
    const auto ex = co_await asio::this_coro::executor;
    cl::client c(ex, cfg);
    mt::client m(ex, cfg);
    co_await rooms(c);
    co_await meetings(m);
}

} // namespace

int main() try {
    example::target where;
    asio::io_context ioc;
    auto done = asio::co_spawn(ioc, demo(where.config), asio::use_future);
    ioc.run();
    done.get();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "rooms_and_meetings: " << e.what() << "\n";
    return 1;
}
