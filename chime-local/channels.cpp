// Channels, memberships, moderators and bans (chime-sdk-messaging, and the same routes of `chime`).

#include "chime-local/channel_rules.hpp"

#include <chime/messaging/model_json.hpp>

namespace chime::local {
namespace json = boost::json;
namespace msg = chime::messaging;

namespace {

void emit(call& c, std::vector<std::string> to, std::string type, std::string payload) {
    if (c.wants_events)
        c.events.push_back({std::move(to), std::move(type), "SYSTEM", std::move(payload)});
}

void add_member(store& s, call& c, channel_record& ch, const std::string& arn, const std::string& type,
                const std::string& invited_by) {
    s.user(arn, "Member");
    if (ch.bans.contains(arn))
        throw forbidden(arn + " is banned from " + *ch.info.channel_arn);
    auto [it, inserted] = ch.members.try_emplace(arn);
    if (inserted) {
        it->second.created = c.now;
        it->second.invited_by = invited_by;
    }
    it->second.type = type;
    it->second.updated = c.now;
}

json::value create_channel(store& s, call& c) {
    const auto req = parse<msg::create_channel_request>(c);
    require(req.name, "Name");
    const auto& bearer = s.user(req.chime_bearer);
    if (!s.app_instances.contains(req.app_instance_arn))
        throw not_found("AppInstance " + req.app_instance_arn + " does not exist");
    if (bearer.app_instance_arn != req.app_instance_arn)
        throw forbidden(req.chime_bearer + " does not belong to " + req.app_instance_arn);
    const std::string id = req.channel_id.value_or(s.new_id());
    const std::string arn = req.app_instance_arn + "/channel/" + id;
    if (s.channels.contains(arn))
        throw conflict("Channel " + arn + " already exists");
    channel_record ch;
    ch.app_instance_arn = req.app_instance_arn;
    ch.info = {.name = req.name, .channel_arn = arn, .mode = req.mode.value_or(msg::channel_mode::unrestricted),
               .privacy = req.privacy.value_or(msg::channel_privacy::public_), .metadata = req.metadata,
               .created_by = identity_of(s, req.chime_bearer), .created_timestamp = c.now,
               .last_message_timestamp = std::nullopt, .last_updated_timestamp = c.now, .channel_flow_arn = std::nullopt,
               .elastic_channel_configuration = req.elastic_channel_configuration,
               .expiration_settings = req.expiration_settings};
    // The creator is the channel's first member and moderator.
    ch.members[req.chime_bearer] = {"DEFAULT", req.chime_bearer, c.now, c.now, std::nullopt};
    ch.moderators[req.chime_bearer] = {req.chime_bearer, c.now};
    for (const auto& m : req.member_arns.value_or(std::vector<std::string>{}))
        add_member(s, c, ch, m, "DEFAULT", req.chime_bearer);
    for (const auto& m : req.moderator_arns.value_or(std::vector<std::string>{})) {
        add_member(s, c, ch, m, "DEFAULT", req.chime_bearer);
        ch.moderators[m] = {req.chime_bearer, c.now};
    }
    for (const auto& t : req.tags.value_or(std::vector<msg::tag>{}))
        s.tags[arn][t.key] = t.value;
    s.channels.emplace(arn, std::move(ch));
    return to_value(msg::create_channel_response{.channel_arn = arn});
}

json::value describe_channel(store& s, call& c) {
    const auto req = parse<msg::describe_channel_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    return to_value(msg::describe_channel_response{.channel = ch.info});
}

json::value update_channel(store& s, call& c) {
    const auto req = parse<msg::update_channel_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    if (req.name)
        ch.info.name = req.name;
    if (req.mode)
        ch.info.mode = req.mode;
    if (req.metadata)
        ch.info.metadata = req.metadata;
    ch.info.last_updated_timestamp = c.now;
    emit(c, member_arns(ch), "UPDATE_CHANNEL", event_payload(ch.info));
    return to_value(msg::update_channel_response{.channel_arn = req.channel_arn});
}

json::value delete_channel(store& s, call& c) {
    const auto req = parse<msg::delete_channel_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    emit(c, member_arns(ch), "DELETE_CHANNEL", event_payload(ch.info));
    s.tags.erase(req.channel_arn);
    s.channels.erase(req.channel_arn);
    return json::object();
}

json::value list_channels(store& s, call& c) {
    const auto req = parse<msg::list_channels_request>(c);
    s.user(req.chime_bearer);
    const auto privacy = req.privacy.value_or(msg::channel_privacy::public_);
    const bool admin = s.app_instances.contains(req.app_instance_arn) &&
                       s.app_instances.at(req.app_instance_arn).admins.contains(req.chime_bearer);
    if (privacy == msg::channel_privacy::private_ && !admin)
        throw forbidden("Only an AppInstanceAdmin may list private channels");
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const channel_record*> found;
    for (const auto& [arn, ch] : s.channels)
        if (ch.app_instance_arn == req.app_instance_arn && ch.info.privacy == privacy)
            found.push_back(&ch);
    msg::list_channels_response out;
    out.channels = slice<msg::channel_summary>(found, p, [](const channel_record* ch) { return summary_of(*ch); });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

// Adding members: moderators always; in UNRESTRICTED channels members too, and anyone can join a public
// one themselves.
void may_add(const store& s, const channel_record& ch, const std::string& bearer, const std::string& member) {
    s.user(bearer);
    if (is_moderator(s, ch, bearer))
        return;
    if (ch.info.mode == msg::channel_mode::restricted)
        throw forbidden("Only moderators may add members to the restricted channel " + *ch.info.channel_arn);
    const bool self_join = bearer == member && ch.info.privacy == msg::channel_privacy::public_;
    if (!is_member(ch, bearer) && !self_join)
        throw forbidden(bearer + " is not a member of " + *ch.info.channel_arn);
}

json::value create_channel_membership(store& s, call& c) {
    const auto req = parse<msg::create_channel_membership_request>(c);
    auto& ch = s.channel(req.channel_arn);
    may_add(s, ch, req.chime_bearer, req.member_arn);
    add_member(s, c, ch, req.member_arn, req.type.value.empty() ? "DEFAULT" : req.type.value, req.chime_bearer);
    emit(c, member_arns(ch), "CREATE_CHANNEL_MEMBERSHIP",
         event_payload(membership_of(s, ch, req.member_arn, ch.members.at(req.member_arn))));
    return to_value(msg::create_channel_membership_response{.channel_arn = req.channel_arn,
                                                           .member = identity_of(s, req.member_arn)});
}

json::value batch_create_channel_membership(store& s, call& c) {
    const auto req = parse<msg::batch_create_channel_membership_request>(c);
    if (req.member_arns.empty() || req.member_arns.size() > 100)
        throw bad_request("MemberArns must have 1 to 100 members");
    auto& ch = s.channel(req.channel_arn);
    const std::string type = req.type ? req.type->value : "DEFAULT";
    msg::batch_create_channel_membership_response out;
    msg::batch_channel_memberships added{.invited_by = identity_of(s, req.chime_bearer), .type = msg::channel_membership_type(type),
                                         .members = std::vector<msg::identity>{}, .channel_arn = req.channel_arn};
    out.errors.emplace();
    for (const auto& m : req.member_arns) {
        try { // partial failure: each member succeeds or is listed with its error
            may_add(s, ch, req.chime_bearer, m);
            add_member(s, c, ch, m, type, req.chime_bearer);
            added.members->push_back(identity_of(s, m));
        } catch (const api_error& e) {
            out.errors->push_back({.member_arn = m,
                                   .error_code = msg::error_code(e.code.substr(0, e.code.find("Exception"))),
                                   .error_message = e.what()});
        }
    }
    if (!added.members->empty())
        emit(c, member_arns(ch), "BATCH_CREATE_CHANNEL_MEMBERSHIP", event_payload(added));
    out.batch_channel_memberships = std::move(added);
    return to_value(out);
}

json::value delete_channel_membership(store& s, call& c) {
    const auto req = parse<msg::delete_channel_membership_request>(c);
    auto& ch = s.channel(req.channel_arn);
    s.user(req.chime_bearer);
    if (req.chime_bearer != req.member_arn && !is_moderator(s, ch, req.chime_bearer))
        throw forbidden("Only moderators may remove other members");
    const auto it = ch.members.find(req.member_arn);
    if (it == ch.members.end())
        throw not_found(req.member_arn + " is not a member of " + req.channel_arn);
    auto to = member_arns(ch);
    const std::string payload = event_payload(membership_of(s, ch, req.member_arn, it->second));
    ch.members.erase(it);
    emit(c, std::move(to), "DELETE_CHANNEL_MEMBERSHIP", payload);
    return json::object();
}

json::value describe_channel_membership(store& s, call& c) {
    const auto req = parse<msg::describe_channel_membership_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    const auto it = ch.members.find(req.member_arn);
    if (it == ch.members.end())
        throw not_found(req.member_arn + " is not a member of " + req.channel_arn);
    return to_value(msg::describe_channel_membership_response{.channel_membership = membership_of(s, ch, it->first, it->second)});
}

json::value list_channel_memberships(store& s, call& c) {
    const auto req = parse<msg::list_channel_memberships_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<std::string> found;
    for (const auto& [arn, m] : ch.members)
        if (!req.type || req.type->value == m.type)
            found.push_back(arn);
    msg::list_channel_memberships_response out;
    out.channel_arn = req.channel_arn;
    out.channel_memberships = slice<msg::channel_membership_summary>(
        found, p, [&](const std::string& arn) { return msg::channel_membership_summary{.member = identity_of(s, arn)}; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

msg::channel_membership_for_app_instance_user_summary membership_summary(const channel_record& ch, const membership_record& m) {
    return {.channel_summary = summary_of(ch),
            .app_instance_user_membership_summary = msg::app_instance_user_membership_summary{
                .type = msg::channel_membership_type(m.type), .read_marker_timestamp = m.read_marker}};
}

json::value describe_channel_membership_for_app_instance_user(store& s, call& c) {
    const auto req = parse<msg::describe_channel_membership_for_app_instance_user_request>(c);
    auto& ch = s.channel(req.channel_arn);
    s.user(req.chime_bearer);
    if (req.chime_bearer != req.app_instance_user_arn && !is_admin(s, ch, req.chime_bearer))
        throw forbidden("Only the user or an AppInstanceAdmin may describe a user's memberships");
    const auto it = ch.members.find(req.app_instance_user_arn);
    if (it == ch.members.end())
        throw not_found(req.app_instance_user_arn + " is not a member of " + req.channel_arn);
    return to_value(msg::describe_channel_membership_for_app_instance_user_response{.channel_membership =
                                                                                     membership_summary(ch, it->second)});
}

json::value list_channel_memberships_for_app_instance_user(store& s, call& c) {
    const auto req = parse<msg::list_channel_memberships_for_app_instance_user_request>(c);
    s.user(req.chime_bearer);
    const std::string who = req.app_instance_user_arn.value_or(req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<std::pair<const channel_record*, const membership_record*>> found;
    for (const auto& [arn, ch] : s.channels)
        if (const auto it = ch.members.find(who); it != ch.members.end()) {
            if (who != req.chime_bearer && !is_admin(s, ch, req.chime_bearer))
                throw forbidden("Only the user or an AppInstanceAdmin may list a user's memberships");
            found.emplace_back(&ch, &it->second);
        }
    msg::list_channel_memberships_for_app_instance_user_response out;
    out.channel_memberships = slice<msg::channel_membership_for_app_instance_user_summary>(
        found, p, [](const auto& e) { return membership_summary(*e.first, *e.second); });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value create_channel_moderator(store& s, call& c) {
    const auto req = parse<msg::create_channel_moderator_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    s.user(req.channel_moderator_arn, "ChannelModeratorArn");
    ch.moderators[req.channel_moderator_arn] = {req.chime_bearer, c.now};
    return to_value(msg::create_channel_moderator_response{.channel_arn = req.channel_arn,
                                                          .channel_moderator = identity_of(s, req.channel_moderator_arn)});
}

json::value delete_channel_moderator(store& s, call& c) {
    const auto req = parse<msg::delete_channel_moderator_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    if (ch.moderators.erase(req.channel_moderator_arn) == 0)
        throw not_found(req.channel_moderator_arn + " is not a moderator of " + req.channel_arn);
    return json::object();
}

json::value describe_channel_moderator(store& s, call& c) {
    const auto req = parse<msg::describe_channel_moderator_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    const auto it = ch.moderators.find(req.channel_moderator_arn);
    if (it == ch.moderators.end())
        throw not_found(req.channel_moderator_arn + " is not a moderator of " + req.channel_arn);
    return to_value(msg::describe_channel_moderator_response{.channel_moderator = msg::channel_moderator{
        .moderator = identity_of(s, it->first), .channel_arn = req.channel_arn, .created_timestamp = it->second.second,
        .created_by = identity_of(s, it->second.first)}});
}

json::value list_channel_moderators(store& s, call& c) {
    const auto req = parse<msg::list_channel_moderators_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    msg::list_channel_moderators_response out;
    out.channel_arn = req.channel_arn;
    out.channel_moderators = slice<msg::channel_moderator_summary>(
        ch.moderators, p, [&](const auto& kv) { return msg::channel_moderator_summary{.moderator = identity_of(s, kv.first)}; });
    out.next_token = next_token_after(c, p, ch.moderators.size());
    return to_value(out);
}

json::value describe_channel_moderated_by_app_instance_user(store& s, call& c) {
    const auto req = parse<msg::describe_channel_moderated_by_app_instance_user_request>(c);
    auto& ch = s.channel(req.channel_arn);
    s.user(req.chime_bearer);
    if (!ch.moderators.contains(req.app_instance_user_arn))
        throw not_found(req.app_instance_user_arn + " does not moderate " + req.channel_arn);
    return to_value(msg::describe_channel_moderated_by_app_instance_user_response{
        .channel = msg::channel_moderated_by_app_instance_user_summary{.channel_summary = summary_of(ch)}});
}

json::value list_channels_moderated_by_app_instance_user(store& s, call& c) {
    const auto req = parse<msg::list_channels_moderated_by_app_instance_user_request>(c);
    s.user(req.chime_bearer);
    const std::string who = req.app_instance_user_arn.value_or(req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const channel_record*> found;
    for (const auto& [arn, ch] : s.channels)
        if (ch.moderators.contains(who))
            found.push_back(&ch);
    msg::list_channels_moderated_by_app_instance_user_response out;
    out.channels = slice<msg::channel_moderated_by_app_instance_user_summary>(found, p, [](const channel_record* ch) {
        return msg::channel_moderated_by_app_instance_user_summary{.channel_summary = summary_of(*ch)};
    });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value create_channel_ban(store& s, call& c) {
    const auto req = parse<msg::create_channel_ban_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    s.user(req.member_arn, "MemberArn");
    if (is_moderator(s, ch, req.member_arn) && req.member_arn != req.chime_bearer && ch.moderators.contains(req.member_arn))
        ch.moderators.erase(req.member_arn);
    ch.bans[req.member_arn] = {req.chime_bearer, c.now};
    if (const auto it = ch.members.find(req.member_arn); it != ch.members.end()) { // a ban removes the membership
        auto to = member_arns(ch);
        const std::string payload = event_payload(membership_of(s, ch, it->first, it->second));
        ch.members.erase(it);
        emit(c, std::move(to), "DELETE_CHANNEL_MEMBERSHIP", payload);
    }
    return to_value(msg::create_channel_ban_response{.channel_arn = req.channel_arn, .member = identity_of(s, req.member_arn)});
}

json::value delete_channel_ban(store& s, call& c) {
    const auto req = parse<msg::delete_channel_ban_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    if (ch.bans.erase(req.member_arn) == 0)
        throw not_found(req.member_arn + " is not banned from " + req.channel_arn);
    return json::object();
}

json::value describe_channel_ban(store& s, call& c) {
    const auto req = parse<msg::describe_channel_ban_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    const auto it = ch.bans.find(req.member_arn);
    if (it == ch.bans.end())
        throw not_found(req.member_arn + " is not banned from " + req.channel_arn);
    return to_value(msg::describe_channel_ban_response{.channel_ban = msg::channel_ban{
        .member = identity_of(s, it->first), .channel_arn = req.channel_arn, .created_timestamp = it->second.second,
        .created_by = identity_of(s, it->second.first)}});
}

json::value list_channel_bans(store& s, call& c) {
    const auto req = parse<msg::list_channel_bans_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    msg::list_channel_bans_response out;
    out.channel_arn = req.channel_arn;
    out.channel_bans = slice<msg::channel_ban_summary>(
        ch.bans, p, [&](const auto& kv) { return msg::channel_ban_summary{.member = identity_of(s, kv.first)}; });
    out.next_token = next_token_after(c, p, ch.bans.size());
    return to_value(out);
}

} // namespace

void register_channels(store& s) {
    s.register_handler("CreateChannel", create_channel);
    s.register_handler("DescribeChannel", describe_channel);
    s.register_handler("UpdateChannel", update_channel);
    s.register_handler("DeleteChannel", delete_channel);
    s.register_handler("ListChannels", list_channels);
    s.register_handler("CreateChannelMembership", create_channel_membership);
    s.register_handler("BatchCreateChannelMembership", batch_create_channel_membership);
    s.register_handler("DeleteChannelMembership", delete_channel_membership);
    s.register_handler("DescribeChannelMembership", describe_channel_membership);
    s.register_handler("ListChannelMemberships", list_channel_memberships);
    s.register_handler("DescribeChannelMembershipForAppInstanceUser", describe_channel_membership_for_app_instance_user);
    s.register_handler("ListChannelMembershipsForAppInstanceUser", list_channel_memberships_for_app_instance_user);
    s.register_handler("CreateChannelModerator", create_channel_moderator);
    s.register_handler("DeleteChannelModerator", delete_channel_moderator);
    s.register_handler("DescribeChannelModerator", describe_channel_moderator);
    s.register_handler("ListChannelModerators", list_channel_moderators);
    s.register_handler("DescribeChannelModeratedByAppInstanceUser", describe_channel_moderated_by_app_instance_user);
    s.register_handler("ListChannelsModeratedByAppInstanceUser", list_channels_moderated_by_app_instance_user);
    s.register_handler("CreateChannelBan", create_channel_ban);
    s.register_handler("DeleteChannelBan", delete_channel_ban);
    s.register_handler("DescribeChannelBan", describe_channel_ban);
    s.register_handler("ListChannelBans", list_channel_bans);
}

} // namespace chime::local
