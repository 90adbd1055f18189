// --state-file: the whole store as JSON, saved on a clean shutdown and loaded at start.

#include "chime-local/state.hpp"

#include <chime/messaging/model_json.hpp>

#include <boost/json.hpp>

namespace chime::local {
namespace json = boost::json;

namespace {

std::int64_t ms(time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
time_point at(const json::value& v) { return time_point(std::chrono::milliseconds(v.to_number<std::int64_t>())); }
std::string str(const json::object& o, std::string_view k) { return std::string(o.at(k).as_string()); }

template <class T>
T typed(const json::value& v, std::string_view what) {
    T out;
    json_context ctx;
    if (!from_json(v, out, ctx))
        throw std::runtime_error("state file: " + std::string(what) + ": " + ctx.error());
    return out;
}

json::array pairs(const std::map<std::string, std::pair<std::string, time_point>>& m) {
    json::array out;
    for (const auto& [arn, by] : m)
        out.push_back({{"arn", arn}, {"by", by.first}, {"at", ms(by.second)}});
    return out;
}
std::map<std::string, std::pair<std::string, time_point>> pairs_from(const json::value& v) {
    std::map<std::string, std::pair<std::string, time_point>> out;
    for (const auto& e : v.as_array())
        out[str(e.as_object(), "arn")] = {str(e.as_object(), "by"), at(e.at("at"))};
    return out;
}

} // namespace

json::value store::save() const {
    json::array instances, user_list, channel_list, flow_list;
    for (const auto& [arn, r] : app_instances) {
        json::array admins;
        for (const auto& a : r.admins)
            admins.push_back(json::string(a));
        instances.push_back({{"arn", arn}, {"name", r.name}, {"metadata", r.metadata}, {"created", ms(r.created)},
                             {"updated", ms(r.updated)}, {"admins", admins}});
    }
    for (const auto& [arn, u] : users)
        user_list.push_back({{"arn", arn}, {"app_instance_arn", u.app_instance_arn}, {"name", u.name},
                             {"metadata", u.metadata}, {"created", ms(u.created)}, {"updated", ms(u.updated)}});
    for (const auto& [arn, ch] : channels) {
        json::array members, messages;
        for (const auto& [m, r] : ch.members) {
            json::object o{{"arn", m}, {"type", r.type}, {"invited_by", r.invited_by}, {"created", ms(r.created)},
                           {"updated", ms(r.updated)}};
            if (r.read_marker)
                o["read_marker"] = ms(*r.read_marker);
            members.push_back(std::move(o));
        }
        for (const auto& m : ch.messages)
            messages.push_back({{"message", to_value(m.m)}, {"deleted", m.deleted}});
        channel_list.push_back({{"info", to_value(ch.info)}, {"app_instance_arn", ch.app_instance_arn},
                                {"members", members}, {"moderators", pairs(ch.moderators)}, {"bans", pairs(ch.bans)},
                                {"messages", messages}});
    }
    for (const auto& [arn, f] : flows)
        flow_list.push_back({{"info", to_value(f.info)}, {"app_instance_arn", f.app_instance_arn}});
    json::object generic_out, tags_out;
    for (const auto& [k, v] : generic)
        generic_out[k] = v;
    for (const auto& [arn, t] : tags) {
        json::object o;
        for (const auto& [k, v] : t)
            o[k] = v;
        tags_out[arn] = std::move(o);
    }
    return {{"format", "chime-local-state-1"}, {"account_id", account_id}, {"next_id", next_id},
            {"app_instances", instances}, {"users", user_list}, {"channels", channel_list}, {"flows", flow_list},
            {"generic", generic_out}, {"tags", tags_out}};
}

void store::load(const json::value& v) {
    try {
        const auto& o = v.as_object();
        if (o.at("format") != "chime-local-state-1")
            throw std::runtime_error("state file: unknown format");
        account_id = str(o, "account_id");
        next_id = o.at("next_id").to_number<std::uint64_t>();
        for (const auto& e : o.at("app_instances").as_array()) {
            const auto& r = e.as_object();
            auto& rec = app_instances[str(r, "arn")];
            rec = {str(r, "arn"), str(r, "name"), str(r, "metadata"), at(r.at("created")), at(r.at("updated")), {}};
            for (const auto& a : r.at("admins").as_array())
                rec.admins.insert(std::string(a.as_string()));
        }
        for (const auto& e : o.at("users").as_array()) {
            const auto& r = e.as_object();
            users[str(r, "arn")] = {str(r, "arn"), str(r, "app_instance_arn"), str(r, "name"), str(r, "metadata"),
                                    at(r.at("created")), at(r.at("updated"))};
        }
        for (const auto& e : o.at("channels").as_array()) {
            const auto& r = e.as_object();
            channel_record ch;
            ch.info = typed<messaging::channel>(r.at("info"), "channel");
            ch.app_instance_arn = str(r, "app_instance_arn");
            for (const auto& m : r.at("members").as_array()) {
                const auto& mo = m.as_object();
                auto& rec = ch.members[str(mo, "arn")];
                rec = {str(mo, "type"), str(mo, "invited_by"), at(mo.at("created")), at(mo.at("updated")), std::nullopt};
                if (const auto* rm = mo.if_contains("read_marker"))
                    rec.read_marker = at(*rm);
            }
            ch.moderators = pairs_from(r.at("moderators"));
            ch.bans = pairs_from(r.at("bans"));
            for (const auto& m : r.at("messages").as_array()) {
                ch.message_index[std::string(m.at("message").at("MessageId").as_string())] = ch.messages.size();
                ch.messages.push_back({typed<messaging::channel_message>(m.at("message"), "message"),
                                       m.at("deleted").as_bool()});
            }
            channels[*ch.info.channel_arn] = std::move(ch);
        }
        for (const auto& e : o.at("flows").as_array())
            flows[std::string(e.at("info").at("ChannelFlowArn").as_string())] = {
                typed<messaging::channel_flow>(e.at("info"), "channel flow"), std::string(e.at("app_instance_arn").as_string())};
        for (const auto& kv : o.at("generic").as_object())
            generic[std::string(kv.key())] = kv.value();
        for (const auto& kv : o.at("tags").as_object())
            for (const auto& t : kv.value().as_object())
                tags[std::string(kv.key())][std::string(t.key())] = std::string(t.value().as_string());
    } catch (const std::out_of_range& e) {
        throw std::runtime_error(std::string("state file: a member is missing or has the wrong type (") + e.what() + ")");
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("state file: ") + e.what());
    }
}

} // namespace chime::local
