// The `chime` service's accounts, users, bots, rooms and room memberships. Records live as documents in
// store::generic under "account/<id>", "user/<account>/<id>", "bot/<account>/<id>", "room/<account>/<id>"
// and "room-member/<room>/<member>".

#include "chime-local/state.hpp"

#include <chime/classic/model_json.hpp>

namespace chime::local {
namespace json = boost::json;
namespace cl = chime::classic;

namespace {

cl::account account(const store& s, const std::string& id) {
    auto a = get_doc<cl::account>(s, "account/" + id);
    if (!a)
        throw not_found("Account " + id + " does not exist");
    return *a;
}

std::optional<cl::member> member_of_account(const store& s, const std::string& account_id, const std::string& id) {
    if (auto u = get_doc<cl::user>(s, "user/" + account_id + "/" + id))
        return cl::member{.member_id = id, .member_type = cl::member_type::user, .email = u->primary_email,
                          .full_name = u->display_name, .account_id = account_id};
    if (auto b = get_doc<cl::bot>(s, "bot/" + account_id + "/" + id))
        return cl::member{.member_id = id, .member_type = cl::member_type::bot, .email = b->bot_email,
                          .full_name = b->display_name, .account_id = account_id};
    return std::nullopt;
}

cl::room room(const store& s, const std::string& account_id, const std::string& id) {
    account(s, account_id);
    auto r = get_doc<cl::room>(s, "room/" + account_id + "/" + id);
    if (!r)
        throw not_found("Room " + id + " does not exist in account " + account_id);
    return *r;
}

json::value create_account(store& s, call& c) {
    const auto req = parse<cl::create_account_request>(c);
    require(req.name, "Name");
    for (const auto& a : docs_with_prefix<cl::account>(s, "account/"))
        if (a.name == req.name)
            throw conflict("An account named " + req.name + " already exists");
    cl::account a{.aws_account_id = s.account_id, .account_id = s.new_id(), .name = req.name,
                  .account_type = cl::account_type::team, .created_timestamp = c.now,
                  .default_license = cl::license::pro, .supported_licenses = std::vector<cl::license>{cl::license::basic, cl::license::pro},
                  .account_status = cl::account_status::active, .signin_delegate_groups = std::nullopt};
    put_doc(s, "account/" + a.account_id, a);
    return to_value(cl::create_account_response{.account = a});
}

json::value get_account(store& s, call& c) {
    return to_value(cl::get_account_response{.account = account(s, parse<cl::get_account_request>(c).account_id)});
}

json::value list_accounts(store& s, call& c) {
    const auto req = parse<cl::list_accounts_request>(c);
    const auto p = page_of(c, req.max_results, req.next_token, 100, 200);
    std::vector<cl::account> found;
    for (auto& a : docs_with_prefix<cl::account>(s, "account/"))
        if (!req.name || a.name == *req.name)
            found.push_back(std::move(a));
    cl::list_accounts_response out;
    out.accounts = slice<cl::account>(found, p, [](const cl::account& a) { return a; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value delete_account(store& s, call& c) {
    const std::string id = parse<cl::delete_account_request>(c).account_id;
    account(s, id);
    for (const auto& r : docs_with_prefix<cl::room>(s, "room/" + id + "/"))
        erase_prefix(s, "room-member/" + *r.room_id + "/");
    for (const char* kind : {"user/", "bot/", "room/"})
        erase_prefix(s, kind + id + "/");
    s.generic.erase("account/" + id);
    return json::object();
}

json::value create_user(store& s, call& c) {
    const auto req = parse<cl::create_user_request>(c);
    account(s, req.account_id);
    if (!req.email && !req.username)
        throw bad_request("CreateUser needs Email or Username");
    if (req.email)
        for (const auto& u : docs_with_prefix<cl::user>(s, "user/" + req.account_id + "/"))
            if (u.primary_email == req.email)
                throw conflict("A user with that email address already exists in the account");
    cl::user u{.user_id = s.new_id(), .account_id = req.account_id, .primary_email = req.email,
               .primary_provisioned_number = std::nullopt, .display_name = req.username,
               .license_type = cl::license::pro, .user_type = req.user_type.value_or(cl::user_type::private_user),
               .user_registration_status = cl::registration_status::unregistered,
               .user_invitation_status = cl::invite_status::pending, .registered_on = std::nullopt, .invited_on = c.now};
    put_doc(s, "user/" + req.account_id + "/" + u.user_id, u);
    return to_value(cl::create_user_response{.user = u});
}

json::value get_user(store& s, call& c) {
    const auto req = parse<cl::get_user_request>(c);
    account(s, req.account_id);
    auto u = get_doc<cl::user>(s, "user/" + req.account_id + "/" + req.user_id);
    if (!u)
        throw not_found("User " + req.user_id + " does not exist in account " + req.account_id);
    return to_value(cl::get_user_response{.user = *u});
}

json::value list_users(store& s, call& c) {
    const auto req = parse<cl::list_users_request>(c);
    account(s, req.account_id);
    const auto p = page_of(c, req.max_results, req.next_token, 100, 200);
    std::vector<cl::user> found;
    for (auto& u : docs_with_prefix<cl::user>(s, "user/" + req.account_id + "/"))
        if ((!req.user_email || u.primary_email == req.user_email) && (!req.user_type || u.user_type == req.user_type))
            found.push_back(std::move(u));
    cl::list_users_response out;
    out.users = slice<cl::user>(found, p, [](const cl::user& u) { return u; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value create_bot(store& s, call& c) {
    const auto req = parse<cl::create_bot_request>(c);
    require(req.display_name, "DisplayName");
    account(s, req.account_id);
    const std::string id = s.new_id();
    cl::bot b{.bot_id = id, .user_id = id, .display_name = req.display_name, .bot_type = cl::bot_type::chat_bot,
              .disabled = false, .created_timestamp = c.now, .updated_timestamp = c.now,
              .bot_email = req.display_name + "-" + id.substr(0, 8) + "@" + req.domain.value_or("example.com") + ".bot.chime",
              .security_token = s.uuid_v4()};
    put_doc(s, "bot/" + req.account_id + "/" + id, b);
    return to_value(cl::create_bot_response{.bot = b});
}

json::value get_bot(store& s, call& c) {
    const auto req = parse<cl::get_bot_request>(c);
    account(s, req.account_id);
    auto b = get_doc<cl::bot>(s, "bot/" + req.account_id + "/" + req.bot_id);
    if (!b)
        throw not_found("Bot " + req.bot_id + " does not exist in account " + req.account_id);
    return to_value(cl::get_bot_response{.bot = *b});
}

json::value list_bots(store& s, call& c) {
    const auto req = parse<cl::list_bots_request>(c);
    account(s, req.account_id);
    const auto p = page_of(c, req.max_results, req.next_token, 10, 99);
    const auto found = docs_with_prefix<cl::bot>(s, "bot/" + req.account_id + "/");
    cl::list_bots_response out;
    out.bots = slice<cl::bot>(found, p, [](const cl::bot& b) { return b; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value create_room(store& s, call& c) {
    const auto req = parse<cl::create_room_request>(c);
    require(req.name, "Name");
    account(s, req.account_id);
    cl::room r{.room_id = s.new_id(), .name = req.name, .account_id = req.account_id, .created_by = s.account_id,
               .created_timestamp = c.now, .updated_timestamp = c.now};
    put_doc(s, "room/" + req.account_id + "/" + *r.room_id, r);
    return to_value(cl::create_room_response{.room = r});
}

json::value get_room(store& s, call& c) {
    const auto req = parse<cl::get_room_request>(c);
    return to_value(cl::get_room_response{.room = room(s, req.account_id, req.room_id)});
}

json::value update_room(store& s, call& c) {
    const auto req = parse<cl::update_room_request>(c);
    auto r = room(s, req.account_id, req.room_id);
    if (req.name)
        r.name = req.name;
    r.updated_timestamp = c.now;
    put_doc(s, "room/" + req.account_id + "/" + req.room_id, r);
    return to_value(cl::update_room_response{.room = r});
}

json::value delete_room(store& s, call& c) {
    const auto req = parse<cl::delete_room_request>(c);
    room(s, req.account_id, req.room_id);
    erase_prefix(s, "room-member/" + req.room_id + "/");
    s.generic.erase("room/" + req.account_id + "/" + req.room_id);
    return json::object();
}

json::value list_rooms(store& s, call& c) {
    const auto req = parse<cl::list_rooms_request>(c);
    account(s, req.account_id);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 99);
    std::vector<cl::room> found;
    for (auto& r : docs_with_prefix<cl::room>(s, "room/" + req.account_id + "/"))
        if (!req.member_id || s.generic.contains("room-member/" + *r.room_id + "/" + *req.member_id))
            found.push_back(std::move(r));
    cl::list_rooms_response out;
    out.rooms = slice<cl::room>(found, p, [](const cl::room& r) { return r; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

cl::room_membership add_room_member(store& s, call& c, const std::string& account_id, const std::string& room_id,
                                    const std::string& member_id, const std::optional<cl::room_membership_role>& role) {
    const auto m = member_of_account(s, account_id, member_id);
    if (!m)
        throw not_found("Member " + member_id + " is no user or bot of account " + account_id);
    const std::string key = "room-member/" + room_id + "/" + member_id;
    if (s.generic.contains(key))
        throw conflict("Member " + member_id + " is already in room " + room_id);
    cl::room_membership rm{.room_id = room_id, .member = m, .role = role.value_or(cl::room_membership_role::member),
                           .invited_by = s.account_id, .updated_timestamp = c.now};
    put_doc(s, key, rm);
    return rm;
}

json::value create_room_membership(store& s, call& c) {
    const auto req = parse<cl::create_room_membership_request>(c);
    room(s, req.account_id, req.room_id);
    return to_value(cl::create_room_membership_response{
        .room_membership = add_room_member(s, c, req.account_id, req.room_id, req.member_id, req.role)});
}

json::value batch_create_room_membership(store& s, call& c) {
    const auto req = parse<cl::batch_create_room_membership_request>(c);
    room(s, req.account_id, req.room_id);
    if (req.membership_item_list.empty() || req.membership_item_list.size() > 100)
        throw bad_request("MembershipItemList must have 1 to 100 items");
    cl::batch_create_room_membership_response out;
    out.errors.emplace();
    for (const auto& item : req.membership_item_list) {
        try { // partial failure: the others are added
            add_room_member(s, c, req.account_id, req.room_id, item.member_id.value_or(""), item.role);
        } catch (const api_error& e) {
            out.errors->push_back({.member_id = item.member_id,
                                   .error_code = cl::error_code(e.code.substr(0, e.code.find("Exception"))),
                                   .error_message = e.what()});
        }
    }
    return to_value(out);
}

json::value update_room_membership(store& s, call& c) {
    const auto req = parse<cl::update_room_membership_request>(c);
    room(s, req.account_id, req.room_id);
    const std::string key = "room-member/" + req.room_id + "/" + req.member_id;
    auto rm = get_doc<cl::room_membership>(s, key);
    if (!rm)
        throw not_found("Member " + req.member_id + " is not in room " + req.room_id);
    if (req.role)
        rm->role = req.role;
    rm->updated_timestamp = c.now;
    put_doc(s, key, *rm);
    return to_value(cl::update_room_membership_response{.room_membership = *rm});
}

json::value delete_room_membership(store& s, call& c) {
    const auto req = parse<cl::delete_room_membership_request>(c);
    room(s, req.account_id, req.room_id);
    if (s.generic.erase("room-member/" + req.room_id + "/" + req.member_id) == 0)
        throw not_found("Member " + req.member_id + " is not in room " + req.room_id);
    return json::object();
}

json::value list_room_memberships(store& s, call& c) {
    const auto req = parse<cl::list_room_memberships_request>(c);
    room(s, req.account_id, req.room_id);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 99);
    const auto found = docs_with_prefix<cl::room_membership>(s, "room-member/" + req.room_id + "/");
    cl::list_room_memberships_response out;
    out.room_memberships = slice<cl::room_membership>(found, p, [](const cl::room_membership& m) { return m; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

} // namespace

void register_classic(store& s) {
    s.register_handler("CreateAccount", create_account);
    s.register_handler("GetAccount", get_account);
    s.register_handler("ListAccounts", list_accounts);
    s.register_handler("DeleteAccount", delete_account);
    s.register_handler("CreateUser", create_user);
    s.register_handler("GetUser", get_user);
    s.register_handler("ListUsers", list_users);
    s.register_handler("CreateBot", create_bot);
    s.register_handler("GetBot", get_bot);
    s.register_handler("ListBots", list_bots);
    s.register_handler("CreateRoom", create_room);
    s.register_handler("GetRoom", get_room);
    s.register_handler("UpdateRoom", update_room);
    s.register_handler("DeleteRoom", delete_room);
    s.register_handler("ListRooms", list_rooms);
    s.register_handler("CreateRoomMembership", create_room_membership);
    s.register_handler("BatchCreateRoomMembership", batch_create_room_membership);
    s.register_handler("UpdateRoomMembership", update_room_membership);
    s.register_handler("DeleteRoomMembership", delete_room_membership);
    s.register_handler("ListRoomMemberships", list_room_memberships);
}

} // namespace chime::local
