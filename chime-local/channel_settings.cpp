// The rest of chime-sdk-messaging: expiration settings, membership preferences, streaming
// configurations, sub-channels of elastic channels and SearchChannels. Documents: "prefs/<channel>/<member>",
// "streaming/<app instance>".

#include "chime-local/channel_rules.hpp"

#include <chime/messaging/model_json.hpp>

#include <algorithm>

namespace chime::local {
namespace json = boost::json;
namespace msg = chime::messaging;

namespace {

json::value put_channel_expiration_settings(store& s, call& c) {
    const auto req = parse<msg::put_channel_expiration_settings_request>(c);
    auto& ch = s.channel(req.channel_arn);
    if (req.chime_bearer)
        require_moderator(s, ch, *req.chime_bearer);
    if (req.expiration_settings && (req.expiration_settings->expiration_days < 1 || req.expiration_settings->expiration_days > 5475))
        throw bad_request("ExpirationDays must be 1 to 5475");
    ch.info.expiration_settings = req.expiration_settings;
    ch.info.last_updated_timestamp = c.now;
    return to_value(msg::put_channel_expiration_settings_response{.channel_arn = req.channel_arn,
                                                                 .expiration_settings = req.expiration_settings});
}

void may_touch_preferences(const store& s, const channel_record& ch, const std::string& bearer, const std::string& member) {
    s.user(bearer);
    if (bearer != member && !is_admin(s, ch, bearer))
        throw forbidden("Only the member or an AppInstanceAdmin may see or change a member's preferences");
    if (!is_member(ch, member))
        throw not_found(member + " is not a member of " + *ch.info.channel_arn);
}

json::value put_channel_membership_preferences(store& s, call& c) {
    const auto req = parse<msg::put_channel_membership_preferences_request>(c);
    const auto& ch = s.channel(req.channel_arn);
    may_touch_preferences(s, ch, req.chime_bearer, req.member_arn);
    put_doc(s, "prefs/" + req.channel_arn + "/" + req.member_arn, req.preferences);
    return to_value(msg::put_channel_membership_preferences_response{
        .channel_arn = req.channel_arn, .member = identity_of(s, req.member_arn), .preferences = req.preferences});
}

json::value get_channel_membership_preferences(store& s, call& c) {
    const auto req = parse<msg::get_channel_membership_preferences_request>(c);
    const auto& ch = s.channel(req.channel_arn);
    may_touch_preferences(s, ch, req.chime_bearer, req.member_arn);
    return to_value(msg::get_channel_membership_preferences_response{
        .channel_arn = req.channel_arn, .member = identity_of(s, req.member_arn),
        .preferences = get_doc<msg::channel_membership_preferences>(s, "prefs/" + req.channel_arn + "/" + req.member_arn)
                           .value_or(msg::channel_membership_preferences{})});
}

json::value put_messaging_streaming_configurations(store& s, call& c) {
    const auto req = parse<msg::put_messaging_streaming_configurations_request>(c);
    s.app_instance(req.app_instance_arn);
    if (req.streaming_configurations.empty() || req.streaming_configurations.size() > 2)
        throw bad_request("StreamingConfigurations must have 1 or 2 entries");
    msg::put_messaging_streaming_configurations_response out{.streaming_configurations = req.streaming_configurations};
    put_doc(s, "streaming/" + req.app_instance_arn, out);
    return to_value(out);
}

json::value get_messaging_streaming_configurations(store& s, call& c) {
    const auto req = parse<msg::get_messaging_streaming_configurations_request>(c);
    s.app_instance(req.app_instance_arn);
    const auto saved = get_doc<msg::put_messaging_streaming_configurations_response>(s, "streaming/" + req.app_instance_arn);
    if (!saved)
        throw not_found("AppInstance " + req.app_instance_arn + " has no streaming configurations");
    return to_value(msg::get_messaging_streaming_configurations_response{.streaming_configurations = saved->streaming_configurations});
}

json::value delete_messaging_streaming_configurations(store& s, call& c) {
    const auto req = parse<msg::delete_messaging_streaming_configurations_request>(c);
    s.app_instance(req.app_instance_arn);
    s.generic.erase("streaming/" + req.app_instance_arn);
    return json::object();
}

// chime-local keeps every member of an elastic channel in one sub-channel.
json::value list_sub_channels(store& s, call& c) {
    const auto req = parse<msg::list_sub_channels_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    if (!ch.info.elastic_channel_configuration)
        throw bad_request(req.channel_arn + " is not an elastic channel");
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    const std::vector<msg::sub_channel_summary> all{{.sub_channel_id = "default",
                                                     .membership_count = static_cast<std::int32_t>(ch.members.size())}};
    msg::list_sub_channels_response out;
    out.channel_arn = req.channel_arn;
    out.sub_channels = slice<msg::sub_channel_summary>(all, p, [](const auto& x) { return x; });
    out.next_token = next_token_after(c, p, all.size());
    return to_value(out);
}

// The one searchable field is MEMBERS: EQUALS (exactly these members) or INCLUDES (at least these).
json::value search_channels(store& s, call& c) {
    const auto req = parse<msg::search_channels_request>(c);
    if (req.fields.empty())
        throw bad_request("Fields must not be empty");
    if (req.chime_bearer)
        s.user(*req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const channel_record*> found;
    for (const auto& [arn, ch] : s.channels) {
        bool ok = true;
        for (const auto& f : req.fields) {
            if (f.key != msg::search_field_key::members)
                throw bad_request("Unknown search field " + f.key.value);
            const bool includes = std::ranges::all_of(f.values, [&](const std::string& v) { return ch.members.contains(v); });
            ok = ok && includes && (f.operator_ != msg::search_field_operator::equals || ch.members.size() == f.values.size());
        }
        if (ok && req.chime_bearer && ch.info.privacy == msg::channel_privacy::private_ && !is_member(ch, *req.chime_bearer))
            ok = false; // private channels stay invisible to non-members
        if (ok)
            found.push_back(&ch);
    }
    msg::search_channels_response out;
    out.channels = slice<msg::channel_summary>(found, p, [](const channel_record* ch) { return summary_of(*ch); });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

} // namespace

void register_channel_settings(store& s) {
    s.register_handler("PutChannelExpirationSettings", put_channel_expiration_settings);
    s.register_handler("PutChannelMembershipPreferences", put_channel_membership_preferences);
    s.register_handler("GetChannelMembershipPreferences", get_channel_membership_preferences);
    s.register_handler("PutMessagingStreamingConfigurations", put_messaging_streaming_configurations);
    s.register_handler("GetMessagingStreamingConfigurations", get_messaging_streaming_configurations);
    s.register_handler("DeleteMessagingStreamingConfigurations", delete_messaging_streaming_configurations);
    s.register_handler("ListSubChannels", list_sub_channels);
    s.register_handler("SearchChannels", search_channels);
}

} // namespace chime::local
