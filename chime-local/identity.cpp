// chime-sdk-identity: app instances, their users and admins, and tags on any resource. The `chime`
// service's CreateAppInstance / CreateAppInstanceUser take the same routes and land here too.

#include "chime-local/state.hpp"

#include <chime/identity/model_json.hpp>

namespace chime::local {
namespace json = boost::json;
namespace id = chime::identity;

namespace {

id::identity identity_of_user(const store& s, const std::string& arn) {
    id::identity out;
    out.arn = arn;
    if (const auto it = s.users.find(arn); it != s.users.end())
        out.name = it->second.name;
    return out;
}

json::value create_app_instance(store& s, call& c) {
    const auto req = parse<id::create_app_instance_request>(c);
    require(req.name, "Name");
    const std::string arn = make_arn(s, c, "app-instance/" + s.new_id());
    s.app_instances[arn] = {arn, req.name, req.metadata.value_or(""), c.now, c.now, {}};
    for (const auto& t : req.tags.value_or(std::vector<id::tag>{}))
        s.tags[arn][t.key] = t.value;
    return to_value(id::create_app_instance_response{.app_instance_arn = arn});
}

json::value describe_app_instance(store& s, call& c) {
    const auto& r = s.app_instance(parse<id::describe_app_instance_request>(c).app_instance_arn);
    return to_value(id::describe_app_instance_response{.app_instance = id::app_instance{
        .app_instance_arn = r.arn, .name = r.name, .created_timestamp = r.created,
        .last_updated_timestamp = r.updated, .metadata = r.metadata}});
}

json::value list_app_instances(store& s, call& c) {
    const auto req = parse<id::list_app_instances_request>(c);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    id::list_app_instances_response out;
    out.app_instances = slice<id::app_instance_summary>(s.app_instances, p, [](const auto& kv) {
        return id::app_instance_summary{.app_instance_arn = kv.first, .name = kv.second.name, .metadata = kv.second.metadata};
    });
    out.next_token = next_token_after(c, p, s.app_instances.size());
    return to_value(out);
}

json::value update_app_instance(store& s, call& c) {
    const auto req = parse<id::update_app_instance_request>(c);
    auto& r = s.app_instance(req.app_instance_arn);
    r.name = req.name;
    r.metadata = req.metadata;
    r.updated = c.now;
    return to_value(id::update_app_instance_response{.app_instance_arn = r.arn});
}

json::value delete_app_instance(store& s, call& c) {
    const std::string arn = parse<id::delete_app_instance_request>(c).app_instance_arn;
    s.app_instance(arn);
    std::erase_if(s.users, [&](const auto& kv) { return kv.second.app_instance_arn == arn; });
    std::erase_if(s.channels, [&](const auto& kv) { return kv.second.app_instance_arn == arn; });
    s.app_instances.erase(arn);
    s.tags.erase(arn);
    return json::object();
}

json::value create_app_instance_user(store& s, call& c) {
    const auto req = parse<id::create_app_instance_user_request>(c);
    require(req.app_instance_user_id, "AppInstanceUserId");
    require(req.name, "Name");
    s.app_instance(req.app_instance_arn);
    if (req.app_instance_user_id.find('/') != std::string::npos)
        throw bad_request("AppInstanceUserId must not contain '/'");
    const std::string arn = req.app_instance_arn + "/user/" + req.app_instance_user_id;
    if (s.users.contains(arn))
        throw conflict("AppInstanceUser " + arn + " already exists");
    s.users[arn] = {arn, req.app_instance_arn, req.name, req.metadata.value_or(""), c.now, c.now};
    for (const auto& t : req.tags.value_or(std::vector<id::tag>{}))
        s.tags[arn][t.key] = t.value;
    return to_value(id::create_app_instance_user_response{.app_instance_user_arn = arn});
}

json::value describe_app_instance_user(store& s, call& c) {
    const auto& u = s.app_instance_user(parse<id::describe_app_instance_user_request>(c).app_instance_user_arn);
    return to_value(id::describe_app_instance_user_response{.app_instance_user = id::app_instance_user{
        .app_instance_user_arn = u.arn, .name = u.name, .metadata = u.metadata, .created_timestamp = u.created,
        .last_updated_timestamp = u.updated}});
}

json::value list_app_instance_users(store& s, call& c) {
    const auto req = parse<id::list_app_instance_users_request>(c);
    s.app_instance(req.app_instance_arn);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    std::vector<const user_record*> mine;
    for (const auto& [arn, u] : s.users)
        if (u.app_instance_arn == req.app_instance_arn)
            mine.push_back(&u);
    id::list_app_instance_users_response out;
    out.app_instance_arn = req.app_instance_arn;
    out.app_instance_users = slice<id::app_instance_user_summary>(mine, p, [](const user_record* u) {
        return id::app_instance_user_summary{.app_instance_user_arn = u->arn, .name = u->name, .metadata = u->metadata};
    });
    out.next_token = next_token_after(c, p, mine.size());
    return to_value(out);
}

json::value update_app_instance_user(store& s, call& c) {
    const auto req = parse<id::update_app_instance_user_request>(c);
    auto& u = s.app_instance_user(req.app_instance_user_arn);
    u.name = req.name;
    u.metadata = req.metadata;
    u.updated = c.now;
    return to_value(id::update_app_instance_user_response{.app_instance_user_arn = u.arn});
}

json::value delete_app_instance_user(store& s, call& c) {
    const std::string arn = parse<id::delete_app_instance_user_request>(c).app_instance_user_arn;
    s.app_instance_user(arn);
    s.users.erase(arn);
    for (auto& [_, ch] : s.channels) {
        ch.members.erase(arn);
        ch.moderators.erase(arn);
    }
    for (auto& [_, ai] : s.app_instances)
        ai.admins.erase(arn);
    return json::object();
}

json::value create_app_instance_admin(store& s, call& c) {
    const auto req = parse<id::create_app_instance_admin_request>(c);
    auto& ai = s.app_instance(req.app_instance_arn);
    s.app_instance_user(req.app_instance_admin_arn);
    ai.admins.insert(req.app_instance_admin_arn);
    return to_value(id::create_app_instance_admin_response{.app_instance_admin = identity_of_user(s, req.app_instance_admin_arn),
                                                          .app_instance_arn = ai.arn});
}

json::value describe_app_instance_admin(store& s, call& c) {
    const auto req = parse<id::describe_app_instance_admin_request>(c);
    const auto& ai = s.app_instance(req.app_instance_arn);
    if (!ai.admins.contains(req.app_instance_admin_arn))
        throw not_found(req.app_instance_admin_arn + " is not an admin of " + ai.arn);
    return to_value(id::describe_app_instance_admin_response{.app_instance_admin = id::app_instance_admin{
        .admin = identity_of_user(s, req.app_instance_admin_arn), .app_instance_arn = ai.arn, .created_timestamp = ai.created}});
}

json::value list_app_instance_admins(store& s, call& c) {
    const auto req = parse<id::list_app_instance_admins_request>(c);
    const auto& ai = s.app_instance(req.app_instance_arn);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    id::list_app_instance_admins_response out;
    out.app_instance_arn = ai.arn;
    out.app_instance_admins = slice<id::app_instance_admin_summary>(ai.admins, p, [&](const std::string& arn) {
        return id::app_instance_admin_summary{.admin = identity_of_user(s, arn)};
    });
    out.next_token = next_token_after(c, p, ai.admins.size());
    return to_value(out);
}

json::value delete_app_instance_admin(store& s, call& c) {
    const auto req = parse<id::delete_app_instance_admin_request>(c);
    if (s.app_instance(req.app_instance_arn).admins.erase(req.app_instance_admin_arn) == 0)
        throw not_found(req.app_instance_admin_arn + " is not an admin of " + req.app_instance_arn);
    return json::object();
}

bool resource_exists(const store& s, const std::string& arn) {
    return s.app_instances.contains(arn) || s.users.contains(arn) || s.channels.contains(arn) || s.flows.contains(arn) ||
           s.generic.contains(arn);
}

json::value tag_resource(store& s, call& c) {
    const auto req = parse<id::tag_resource_request>(c);
    if (!resource_exists(s, req.resource_arn))
        throw not_found("Resource " + req.resource_arn + " does not exist");
    auto& tags = s.tags[req.resource_arn];
    for (const auto& t : req.tags)
        tags[t.key] = t.value;
    if (tags.size() > 50)
        throw limit_exceeded("A resource can have at most 50 tags");
    return json::object();
}

json::value untag_resource(store& s, call& c) {
    const auto req = parse<id::untag_resource_request>(c);
    if (!resource_exists(s, req.resource_arn))
        throw not_found("Resource " + req.resource_arn + " does not exist");
    for (const auto& k : req.tag_keys)
        s.tags[req.resource_arn].erase(k);
    return json::object();
}

json::value list_tags_for_resource(store& s, call& c) {
    const auto req = parse<id::list_tags_for_resource_request>(c);
    if (!resource_exists(s, req.resource_arn))
        throw not_found("Resource " + req.resource_arn + " does not exist");
    id::list_tags_for_resource_response out;
    out.tags.emplace();
    for (const auto& [k, v] : s.tags[req.resource_arn])
        out.tags->push_back({.key = k, .value = v});
    return to_value(out);
}

} // namespace

void register_identity(store& s) {
    s.register_handler("CreateAppInstance", create_app_instance);
    s.register_handler("DescribeAppInstance", describe_app_instance);
    s.register_handler("ListAppInstances", list_app_instances);
    s.register_handler("UpdateAppInstance", update_app_instance);
    s.register_handler("DeleteAppInstance", delete_app_instance);
    s.register_handler("CreateAppInstanceUser", create_app_instance_user);
    s.register_handler("DescribeAppInstanceUser", describe_app_instance_user);
    s.register_handler("ListAppInstanceUsers", list_app_instance_users);
    s.register_handler("UpdateAppInstanceUser", update_app_instance_user);
    s.register_handler("DeleteAppInstanceUser", delete_app_instance_user);
    s.register_handler("CreateAppInstanceAdmin", create_app_instance_admin);
    s.register_handler("DescribeAppInstanceAdmin", describe_app_instance_admin);
    s.register_handler("ListAppInstanceAdmins", list_app_instance_admins);
    s.register_handler("DeleteAppInstanceAdmin", delete_app_instance_admin);
    s.register_handler("TagResource", tag_resource);
    s.register_handler("UntagResource", untag_resource);
    s.register_handler("ListTagsForResource", list_tags_for_resource);
}

} // namespace chime::local
