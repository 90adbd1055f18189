// Channel messages, read markers, message status, channel flows and the messaging-session endpoint.
// A message sent to a channel with a channel flow is PENDING (an event to the sender only) until the
// flow's processor answers with ChannelFlowCallback: then it is SENT to everyone, or DENIED and dropped.

#include "chime-local/channel_rules.hpp"

#include <chime/messaging/model_json.hpp>

#include <algorithm>

namespace chime::local {
namespace json = boost::json;
namespace msg = chime::messaging;

namespace {

constexpr std::size_t max_content = 4096;
constexpr std::size_t max_metadata = 1024;

message_record& message(channel_record& ch, const std::string& id) {
    const auto it = ch.message_index.find(id);
    if (it == ch.message_index.end() || ch.messages[it->second].deleted)
        throw not_found("Message " + id + " does not exist in " + *ch.info.channel_arn);
    return ch.messages[it->second];
}

std::string message_type_header(const msg::channel_message& m) {
    return m.type && *m.type == msg::channel_message_type::control ? "CONTROL" : "STANDARD";
}

void emit_message(call& c, std::vector<std::string> to, std::string type, const msg::channel_message& m) {
    if (c.wants_events)
        c.events.push_back({std::move(to), std::move(type), message_type_header(m), event_payload(m)});
}

msg::channel_message_status_structure status(const msg::channel_message_status& v) { return {.value = v, .detail = {}}; }

void check_sizes(const std::string& content, const std::optional<std::string>& metadata) {
    if (content.size() > max_content)
        throw bad_request("Content is longer than " + std::to_string(max_content) + " bytes");
    if (metadata && metadata->size() > max_metadata)
        throw bad_request("Metadata is longer than " + std::to_string(max_metadata) + " bytes");
}

json::value send_channel_message(store& s, call& c) {
    const auto req = parse<msg::send_channel_message_request>(c);
    require(req.content, "Content");
    check_sizes(req.content, req.metadata);
    auto& ch = s.channel(req.channel_arn);
    require_member(s, ch, req.chime_bearer);
    if (req.type == msg::channel_message_type::control && req.content.size() > 30)
        throw bad_request("CONTROL messages carry at most 30 bytes of Content");
    const bool flow = ch.info.channel_flow_arn.has_value();
    msg::channel_message m{.channel_arn = req.channel_arn, .message_id = s.new_id(), .content = req.content,
                           .metadata = req.metadata, .type = req.type, .created_timestamp = c.now,
                           .last_edited_timestamp = std::nullopt, .last_updated_timestamp = c.now,
                           .sender = identity_of(s, req.chime_bearer), .redacted = false, .persistence = req.persistence,
                           .status = status(flow ? msg::channel_message_status::pending : msg::channel_message_status::sent),
                           .message_attributes = req.message_attributes, .sub_channel_id = req.sub_channel_id,
                           .content_type = req.content_type, .target = req.target};
    const bool persistent = req.persistence != msg::channel_message_persistence_type::non_persistent;
    if (flow) {
        emit_message(c, {req.chime_bearer}, "PENDING_CREATE_CHANNEL_MESSAGE", m);
    } else {
        // Targeted messages reach only their targets (and the sender).
        std::vector<std::string> to;
        if (req.target && !req.target->empty()) {
            to.push_back(req.chime_bearer);
            for (const auto& t : *req.target)
                if (t.member_arn)
                    to.push_back(*t.member_arn);
        } else {
            to = member_arns(ch);
        }
        emit_message(c, std::move(to), "CREATE_CHANNEL_MESSAGE", m);
        ch.info.last_message_timestamp = c.now;
    }
    auto out = to_value(msg::send_channel_message_response{.channel_arn = req.channel_arn, .message_id = m.message_id,
                                                          .status = m.status, .sub_channel_id = req.sub_channel_id});
    if (persistent || flow) { // non-persistent messages exist only as events (kept while a flow decides)
        ch.message_index.emplace(*m.message_id, ch.messages.size());
        ch.messages.push_back({std::move(m), false});
    }
    return out;
}

json::value get_channel_message(store& s, call& c) {
    const auto req = parse<msg::get_channel_message_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    return to_value(msg::get_channel_message_response{.channel_message = message(ch, req.message_id).m});
}

json::value get_channel_message_status(store& s, call& c) {
    const auto req = parse<msg::get_channel_message_status_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_member(s, ch, req.chime_bearer);
    const auto& m = message(ch, req.message_id).m;
    if (m.sender->arn != req.chime_bearer)
        throw forbidden("Only the sender may read a message's status");
    return to_value(msg::get_channel_message_status_response{.status = m.status});
}

json::value update_channel_message(store& s, call& c) {
    const auto req = parse<msg::update_channel_message_request>(c);
    check_sizes(req.content, req.metadata);
    auto& ch = s.channel(req.channel_arn);
    require_member(s, ch, req.chime_bearer);
    auto& m = message(ch, req.message_id).m;
    if (m.sender->arn != req.chime_bearer)
        throw forbidden("Only the sender may update a message");
    if (m.redacted.value_or(false))
        throw bad_request("A redacted message cannot be updated");
    m.content = req.content;
    if (req.metadata)
        m.metadata = req.metadata;
    if (req.content_type)
        m.content_type = req.content_type;
    m.last_edited_timestamp = c.now;
    m.last_updated_timestamp = c.now;
    emit_message(c, member_arns(ch), "UPDATE_CHANNEL_MESSAGE", m);
    return to_value(msg::update_channel_message_response{.channel_arn = req.channel_arn, .message_id = req.message_id,
                                                        .status = m.status, .sub_channel_id = req.sub_channel_id});
}

json::value delete_channel_message(store& s, call& c) {
    const auto req = parse<msg::delete_channel_message_request>(c);
    auto& ch = s.channel(req.channel_arn);
    auto& rec = message(ch, req.message_id);
    s.user(req.chime_bearer);
    if (rec.m.sender->arn != req.chime_bearer && !is_moderator(s, ch, req.chime_bearer))
        throw forbidden("Only the sender or a moderator may delete a message");
    rec.deleted = true;
    emit_message(c, member_arns(ch), "DELETE_CHANNEL_MESSAGE", rec.m);
    return json::object();
}

json::value redact_channel_message(store& s, call& c) {
    const auto req = parse<msg::redact_channel_message_request>(c);
    auto& ch = s.channel(req.channel_arn);
    auto& m = message(ch, req.message_id).m;
    s.user(req.chime_bearer);
    if (m.sender->arn != req.chime_bearer && !is_moderator(s, ch, req.chime_bearer))
        throw forbidden("Only the sender or a moderator may redact a message");
    m.redacted = true;
    m.content = "";
    m.last_updated_timestamp = c.now;
    emit_message(c, member_arns(ch), "REDACT_CHANNEL_MESSAGE", m);
    return to_value(msg::redact_channel_message_response{.channel_arn = req.channel_arn, .message_id = req.message_id,
                                                        .sub_channel_id = req.sub_channel_id});
}

json::value list_channel_messages(store& s, call& c) {
    const auto req = parse<msg::list_channel_messages_request>(c);
    auto& ch = s.channel(req.channel_arn);
    visible_to(s, ch, req.chime_bearer);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    // Visible: stored, not deleted, SENT (a pending message only to its sender), not targeted at others.
    auto visible = [&](const message_record& rec) {
        const auto& m = rec.m;
        if (rec.deleted || (req.not_before && *m.created_timestamp < *req.not_before) ||
            (req.not_after && *m.created_timestamp > *req.not_after))
            return false;
        const bool mine = m.sender->arn == req.chime_bearer;
        if (m.status->value != msg::channel_message_status::sent && !mine)
            return false;
        return !(m.target && !m.target->empty() && !mine &&
                 std::ranges::none_of(*m.target, [&](const msg::target& t) { return t.member_arn == req.chime_bearer; }));
    };
    // The token holds a storage position (ascending: the next index; descending: one past it), so a page
    // costs what it returns, and messages sent meanwhile neither repeat nor shift a listing.
    const bool descending = req.sort_order.value_or(msg::sort_order::descending) == msg::sort_order::descending;
    const std::size_t n = ch.messages.size();
    std::size_t pos = req.next_token ? std::min(p.offset, n) : (descending ? n : 0);
    auto at_end = [&] { return descending ? pos == 0 : pos >= n; };
    auto step = [&]() -> const message_record& { return descending ? ch.messages[--pos] : ch.messages[pos++]; };
    std::vector<const msg::channel_message*> found;
    while (found.size() < p.limit && !at_end())
        if (const auto& rec = step(); visible(rec))
            found.push_back(&rec.m);
    bool more = false; // another visible message after this page?
    for (std::size_t probe = pos; !more && (descending ? probe > 0 : probe < n);)
        more = visible(descending ? ch.messages[--probe] : ch.messages[probe++]);
    msg::list_channel_messages_response out;
    out.channel_arn = req.channel_arn;
    out.channel_messages = slice<msg::channel_message_summary>(found, page_request{0, found.size()}, [](const msg::channel_message* m) {
        return msg::channel_message_summary{.message_id = m->message_id, .content = m->content, .metadata = m->metadata,
                                            .type = m->type, .created_timestamp = m->created_timestamp,
                                            .last_updated_timestamp = m->last_updated_timestamp,
                                            .last_edited_timestamp = m->last_edited_timestamp, .sender = m->sender,
                                            .redacted = m->redacted, .status = m->status,
                                            .message_attributes = m->message_attributes, .content_type = m->content_type,
                                            .target = m->target};
    });
    if (more)
        out.next_token = position_token(c, pos);
    out.sub_channel_id = req.sub_channel_id;
    return to_value(out);
}

json::value update_channel_read_marker(store& s, call& c) {
    const auto req = parse<msg::update_channel_read_marker_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_member(s, ch, req.chime_bearer);
    ch.members.at(req.chime_bearer).read_marker = c.now;
    return to_value(msg::update_channel_read_marker_response{.channel_arn = req.channel_arn});
}

json::value get_messaging_session_endpoint(store&, call& c) {
    // As the real service: a bare host name (here host:port), no scheme; the websocket uses the same
    // TLS setting as this REST endpoint.
    return to_value(msg::get_messaging_session_endpoint_response{
        .endpoint = msg::messaging_session_endpoint{.url = c.session_endpoint}});
}

// ---- channel flows ------------------------------------------------------------------------------

flow_record& flow(store& s, const std::string& arn) {
    const auto it = s.flows.find(arn);
    if (it == s.flows.end())
        throw not_found("ChannelFlow " + arn + " does not exist");
    return it->second;
}

void check_processors(const std::vector<msg::processor>& processors) {
    if (processors.empty() || processors.size() > 3)
        throw bad_request("Processors must have 1 to 3 entries");
}

json::value create_channel_flow(store& s, call& c) {
    const auto req = parse<msg::create_channel_flow_request>(c);
    require(req.name, "Name");
    check_processors(req.processors);
    if (!s.app_instances.contains(req.app_instance_arn))
        throw not_found("AppInstance " + req.app_instance_arn + " does not exist");
    const std::string arn = req.app_instance_arn + "/channel-flow/" + s.new_id();
    s.flows[arn] = {{.channel_flow_arn = arn, .processors = req.processors, .name = req.name, .created_timestamp = c.now,
                     .last_updated_timestamp = c.now},
                    req.app_instance_arn};
    for (const auto& t : req.tags.value_or(std::vector<msg::tag>{}))
        s.tags[arn][t.key] = t.value;
    return to_value(msg::create_channel_flow_response{.channel_flow_arn = arn});
}

json::value describe_channel_flow(store& s, call& c) {
    return to_value(msg::describe_channel_flow_response{
        .channel_flow = flow(s, parse<msg::describe_channel_flow_request>(c).channel_flow_arn).info});
}

json::value update_channel_flow(store& s, call& c) {
    const auto req = parse<msg::update_channel_flow_request>(c);
    check_processors(req.processors);
    auto& f = flow(s, req.channel_flow_arn);
    f.info.processors = req.processors;
    f.info.name = req.name;
    f.info.last_updated_timestamp = c.now;
    return to_value(msg::update_channel_flow_response{.channel_flow_arn = req.channel_flow_arn});
}

json::value delete_channel_flow(store& s, call& c) {
    const std::string arn = parse<msg::delete_channel_flow_request>(c).channel_flow_arn;
    flow(s, arn);
    for (const auto& [_, ch] : s.channels)
        if (ch.info.channel_flow_arn == arn)
            throw conflict("ChannelFlow " + arn + " is still associated with " + *ch.info.channel_arn);
    s.flows.erase(arn);
    return json::object();
}

json::value list_channel_flows(store& s, call& c) {
    const auto req = parse<msg::list_channel_flows_request>(c);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const flow_record*> found;
    for (const auto& [_, f] : s.flows)
        if (f.app_instance_arn == req.app_instance_arn)
            found.push_back(&f);
    msg::list_channel_flows_response out;
    out.channel_flows = slice<msg::channel_flow_summary>(found, p, [](const flow_record* f) {
        return msg::channel_flow_summary{.channel_flow_arn = f->info.channel_flow_arn, .name = f->info.name,
                                         .processors = f->info.processors};
    });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value associate_channel_flow(store& s, call& c) {
    const auto req = parse<msg::associate_channel_flow_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    flow(s, req.channel_flow_arn);
    ch.info.channel_flow_arn = req.channel_flow_arn;
    return json::object();
}

json::value disassociate_channel_flow(store& s, call& c) {
    const auto req = parse<msg::disassociate_channel_flow_request>(c);
    auto& ch = s.channel(req.channel_arn);
    require_moderator(s, ch, req.chime_bearer);
    if (ch.info.channel_flow_arn != req.channel_flow_arn)
        throw not_found("ChannelFlow " + req.channel_flow_arn + " is not associated with " + req.channel_arn);
    ch.info.channel_flow_arn.reset();
    return json::object();
}

json::value list_channels_associated_with_channel_flow(store& s, call& c) {
    const auto req = parse<msg::list_channels_associated_with_channel_flow_request>(c);
    flow(s, req.channel_flow_arn);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const channel_record*> found;
    for (const auto& [_, ch] : s.channels)
        if (ch.info.channel_flow_arn == req.channel_flow_arn)
            found.push_back(&ch);
    msg::list_channels_associated_with_channel_flow_response out;
    out.channels = slice<msg::channel_associated_with_flow_summary>(found, p, [](const channel_record* ch) {
        return msg::channel_associated_with_flow_summary{.name = ch->info.name, .channel_arn = ch->info.channel_arn,
                                                        .mode = ch->info.mode, .privacy = ch->info.privacy,
                                                        .metadata = ch->info.metadata};
    });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value channel_flow_callback(store& s, call& c) {
    const auto req = parse<msg::channel_flow_callback_request>(c);
    require(req.callback_id, "CallbackId");
    auto& ch = s.channel(req.channel_arn);
    auto& rec = message(ch, req.channel_message.message_id);
    auto& m = rec.m;
    if (m.status->value != msg::channel_message_status::pending)
        throw conflict("Message " + *m.message_id + " is not PENDING");
    const std::string sender = *m.sender->arn;
    if (req.delete_resource.value_or(false)) {
        m.status = status(msg::channel_message_status::denied);
        emit_message(c, {sender}, "DENIED_CREATE_CHANNEL_MESSAGE", m);
        rec.deleted = true; // a denied message is not stored
    } else {
        if (req.channel_message.content)
            m.content = req.channel_message.content;
        if (req.channel_message.metadata)
            m.metadata = req.channel_message.metadata;
        if (req.channel_message.message_attributes)
            m.message_attributes = req.channel_message.message_attributes;
        m.status = status(msg::channel_message_status::sent);
        m.last_updated_timestamp = c.now;
        ch.info.last_message_timestamp = c.now;
        emit_message(c, member_arns(ch), "CREATE_CHANNEL_MESSAGE", m);
        if (m.persistence && *m.persistence == msg::channel_message_persistence_type::non_persistent)
            rec.deleted = true;
    }
    return to_value(msg::channel_flow_callback_response{.channel_arn = req.channel_arn, .callback_id = req.callback_id});
}

} // namespace

void register_messages(store& s) {
    s.register_handler("SendChannelMessage", send_channel_message);
    s.register_handler("GetChannelMessage", get_channel_message);
    s.register_handler("GetChannelMessageStatus", get_channel_message_status);
    s.register_handler("UpdateChannelMessage", update_channel_message);
    s.register_handler("DeleteChannelMessage", delete_channel_message);
    s.register_handler("RedactChannelMessage", redact_channel_message);
    s.register_handler("ListChannelMessages", list_channel_messages);
    s.register_handler("UpdateChannelReadMarker", update_channel_read_marker);
    s.register_handler("GetMessagingSessionEndpoint", get_messaging_session_endpoint);
    s.register_handler("CreateChannelFlow", create_channel_flow);
    s.register_handler("DescribeChannelFlow", describe_channel_flow);
    s.register_handler("UpdateChannelFlow", update_channel_flow);
    s.register_handler("DeleteChannelFlow", delete_channel_flow);
    s.register_handler("ListChannelFlows", list_channel_flows);
    s.register_handler("AssociateChannelFlow", associate_channel_flow);
    s.register_handler("DisassociateChannelFlow", disassociate_channel_flow);
    s.register_handler("ListChannelsAssociatedWithChannelFlow", list_channels_associated_with_channel_flow);
    s.register_handler("ChannelFlowCallback", channel_flow_callback);
}

} // namespace chime::local
