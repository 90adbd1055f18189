#pragma once
// Who may do what in a channel, as the messaging service enforces it, and the summaries several
// handlers return. Shared by channels.cpp and messages.cpp.

#include "chime-local/state.hpp"

namespace chime::local {

inline bool is_admin(const store& s, const channel_record& ch, const std::string& arn) {
    const auto it = s.app_instances.find(ch.app_instance_arn);
    return it != s.app_instances.end() && it->second.admins.contains(arn);
}

inline bool is_moderator(const store& s, const channel_record& ch, const std::string& arn) {
    return ch.moderators.contains(arn) || is_admin(s, ch, arn);
}

inline bool is_member(const channel_record& ch, const std::string& arn) { return ch.members.contains(arn); }

/// The bearer must exist; for a private channel it must also be a member (or a moderator or admin):
/// private channels are invisible to everyone else.
inline const user_record& visible_to(const store& s, const channel_record& ch, const std::string& bearer) {
    const auto& u = s.user(bearer);
    if (ch.info.privacy && *ch.info.privacy == messaging::channel_privacy::private_ && !is_member(ch, bearer) &&
        !is_moderator(s, ch, bearer))
        throw forbidden(bearer + " is not a member of the private channel " + *ch.info.channel_arn);
    return u;
}

inline void require_moderator(const store& s, const channel_record& ch, const std::string& bearer) {
    s.user(bearer);
    if (!is_moderator(s, ch, bearer))
        throw forbidden(bearer + " is not a moderator of " + *ch.info.channel_arn);
}

inline void require_member(const store& s, const channel_record& ch, const std::string& bearer) {
    s.user(bearer);
    if (!is_member(ch, bearer))
        throw forbidden(bearer + " is not a member of " + *ch.info.channel_arn);
}

inline std::vector<std::string> member_arns(const channel_record& ch) {
    std::vector<std::string> out;
    out.reserve(ch.members.size());
    for (const auto& [arn, _] : ch.members)
        out.push_back(arn);
    return out;
}

inline messaging::channel_summary summary_of(const channel_record& ch) {
    return {.name = ch.info.name, .channel_arn = ch.info.channel_arn, .mode = ch.info.mode, .privacy = ch.info.privacy,
            .metadata = ch.info.metadata, .last_message_timestamp = ch.info.last_message_timestamp};
}

inline messaging::channel_membership membership_of(const store& s, const channel_record& ch, const std::string& arn,
                                                   const membership_record& m) {
    return {.invited_by = identity_of(s, m.invited_by), .type = messaging::channel_membership_type(m.type),
            .member = identity_of(s, arn), .channel_arn = ch.info.channel_arn, .created_timestamp = m.created,
            .last_updated_timestamp = m.updated, .sub_channel_id = std::nullopt};
}

} // namespace chime::local
