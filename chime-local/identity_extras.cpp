// The rest of chime-sdk-identity: app-instance bots, user endpoints (push notification targets), retention
// and user expiration settings. Documents: "ai-bot/<arn>", "endpoint/<user arn>/<id>", "retention/<app
// instance>", "user-expiration/<user arn>".

#include "chime-local/state.hpp"

#include <chime/identity/model_json.hpp>

namespace chime::local {
namespace json = boost::json;
namespace id = chime::identity;

namespace {

id::app_instance_bot bot(const store& s, const std::string& arn) {
    auto b = get_doc<id::app_instance_bot>(s, "ai-bot/" + arn);
    if (!b)
        throw not_found("AppInstanceBot " + arn + " does not exist");
    return *b;
}

json::value create_app_instance_bot(store& s, call& c) {
    const auto req = parse<id::create_app_instance_bot_request>(c);
    s.app_instance(req.app_instance_arn);
    require(req.configuration.lex.lex_bot_alias_arn, "Configuration.Lex.LexBotAliasArn");
    const std::string arn = req.app_instance_arn + "/bot/" + s.new_id();
    put_doc(s, "ai-bot/" + arn, id::app_instance_bot{.app_instance_bot_arn = arn, .name = req.name,
                                                    .configuration = req.configuration, .created_timestamp = c.now,
                                                    .last_updated_timestamp = c.now, .metadata = req.metadata});
    for (const auto& t : req.tags.value_or(std::vector<id::tag>{}))
        s.tags[arn][t.key] = t.value;
    return to_value(id::create_app_instance_bot_response{.app_instance_bot_arn = arn});
}

json::value describe_app_instance_bot(store& s, call& c) {
    return to_value(id::describe_app_instance_bot_response{
        .app_instance_bot = bot(s, parse<id::describe_app_instance_bot_request>(c).app_instance_bot_arn)});
}

json::value update_app_instance_bot(store& s, call& c) {
    const auto req = parse<id::update_app_instance_bot_request>(c);
    auto b = bot(s, req.app_instance_bot_arn);
    b.name = req.name;
    b.metadata = req.metadata;
    if (req.configuration)
        b.configuration = req.configuration;
    b.last_updated_timestamp = c.now;
    put_doc(s, "ai-bot/" + req.app_instance_bot_arn, b);
    return to_value(id::update_app_instance_bot_response{.app_instance_bot_arn = req.app_instance_bot_arn});
}

json::value delete_app_instance_bot(store& s, call& c) {
    const std::string arn = parse<id::delete_app_instance_bot_request>(c).app_instance_bot_arn;
    bot(s, arn);
    s.generic.erase("ai-bot/" + arn);
    s.tags.erase(arn);
    return json::object();
}

json::value list_app_instance_bots(store& s, call& c) {
    const auto req = parse<id::list_app_instance_bots_request>(c);
    s.app_instance(req.app_instance_arn);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    const auto found = docs_with_prefix<id::app_instance_bot>(s, "ai-bot/" + req.app_instance_arn + "/bot/");
    id::list_app_instance_bots_response out;
    out.app_instance_arn = req.app_instance_arn;
    out.app_instance_bots = slice<id::app_instance_bot_summary>(found, p, [](const id::app_instance_bot& b) {
        return id::app_instance_bot_summary{.app_instance_bot_arn = b.app_instance_bot_arn, .name = b.name, .metadata = b.metadata};
    });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

std::string endpoint_key(const std::string& user_arn, const std::string& endpoint) {
    return "endpoint/" + user_arn + "/" + endpoint;
}

id::app_instance_user_endpoint endpoint(const store& s, const std::string& user_arn, const std::string& endpoint_id) {
    auto e = get_doc<id::app_instance_user_endpoint>(s, endpoint_key(user_arn, endpoint_id));
    if (!e)
        throw not_found("Endpoint " + endpoint_id + " of " + user_arn + " does not exist");
    return *e;
}

json::value register_app_instance_user_endpoint(store& s, call& c) {
    const auto req = parse<id::register_app_instance_user_endpoint_request>(c);
    s.app_instance_user(req.app_instance_user_arn);
    require(req.resource_arn, "ResourceArn");
    require(req.endpoint_attributes.device_token, "EndpointAttributes.DeviceToken");
    const std::string endpoint_id = s.uuid_v4();
    put_doc(s, endpoint_key(req.app_instance_user_arn, endpoint_id),
            id::app_instance_user_endpoint{.app_instance_user_arn = req.app_instance_user_arn, .endpoint_id = endpoint_id,
                                           .name = req.name, .type = req.type, .resource_arn = req.resource_arn,
                                           .endpoint_attributes = req.endpoint_attributes, .created_timestamp = c.now,
                                           .last_updated_timestamp = c.now,
                                           .allow_messages = req.allow_messages.value_or(id::allow_messages::all),
                                           .endpoint_state = id::endpoint_state{.status = id::endpoint_status::active}});
    return to_value(id::register_app_instance_user_endpoint_response{.app_instance_user_arn = req.app_instance_user_arn,
                                                                     .endpoint_id = endpoint_id});
}

json::value describe_app_instance_user_endpoint(store& s, call& c) {
    const auto req = parse<id::describe_app_instance_user_endpoint_request>(c);
    return to_value(id::describe_app_instance_user_endpoint_response{
        .app_instance_user_endpoint = endpoint(s, req.app_instance_user_arn, req.endpoint_id)});
}

json::value update_app_instance_user_endpoint(store& s, call& c) {
    const auto req = parse<id::update_app_instance_user_endpoint_request>(c);
    auto e = endpoint(s, req.app_instance_user_arn, req.endpoint_id);
    if (req.name)
        e.name = req.name;
    if (req.allow_messages)
        e.allow_messages = req.allow_messages;
    e.last_updated_timestamp = c.now;
    put_doc(s, endpoint_key(req.app_instance_user_arn, req.endpoint_id), e);
    return to_value(id::update_app_instance_user_endpoint_response{.app_instance_user_arn = req.app_instance_user_arn,
                                                                   .endpoint_id = req.endpoint_id});
}

json::value deregister_app_instance_user_endpoint(store& s, call& c) {
    const auto req = parse<id::deregister_app_instance_user_endpoint_request>(c);
    endpoint(s, req.app_instance_user_arn, req.endpoint_id);
    s.generic.erase(endpoint_key(req.app_instance_user_arn, req.endpoint_id));
    return json::object();
}

json::value list_app_instance_user_endpoints(store& s, call& c) {
    const auto req = parse<id::list_app_instance_user_endpoints_request>(c);
    s.app_instance_user(req.app_instance_user_arn);
    const auto p = page_of(c, req.max_results, req.next_token, 50, 50);
    const auto found = docs_with_prefix<id::app_instance_user_endpoint>(s, "endpoint/" + req.app_instance_user_arn + "/");
    id::list_app_instance_user_endpoints_response out;
    out.app_instance_user_endpoints =
        slice<id::app_instance_user_endpoint_summary>(found, p, [](const id::app_instance_user_endpoint& e) {
            return id::app_instance_user_endpoint_summary{.app_instance_user_arn = e.app_instance_user_arn,
                                                          .endpoint_id = e.endpoint_id, .name = e.name, .type = e.type,
                                                          .allow_messages = e.allow_messages,
                                                          .endpoint_state = e.endpoint_state};
        });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value put_app_instance_retention_settings(store& s, call& c) {
    const auto req = parse<id::put_app_instance_retention_settings_request>(c);
    s.app_instance(req.app_instance_arn);
    const id::put_app_instance_retention_settings_response out{
        .app_instance_retention_settings = req.app_instance_retention_settings, .initiate_deletion_timestamp = c.now};
    put_doc(s, "retention/" + req.app_instance_arn, out);
    return to_value(out);
}

json::value get_app_instance_retention_settings(store& s, call& c) {
    const auto req = parse<id::get_app_instance_retention_settings_request>(c);
    s.app_instance(req.app_instance_arn);
    const auto saved = get_doc<id::put_app_instance_retention_settings_response>(s, "retention/" + req.app_instance_arn);
    id::get_app_instance_retention_settings_response out;
    if (saved) {
        out.app_instance_retention_settings = saved->app_instance_retention_settings;
        out.initiate_deletion_timestamp = saved->initiate_deletion_timestamp;
    }
    return to_value(out);
}

json::value put_app_instance_user_expiration_settings(store& s, call& c) {
    const auto req = parse<id::put_app_instance_user_expiration_settings_request>(c);
    s.app_instance_user(req.app_instance_user_arn);
    const id::put_app_instance_user_expiration_settings_response out{.app_instance_user_arn = req.app_instance_user_arn,
                                                                     .expiration_settings = req.expiration_settings};
    put_doc(s, "user-expiration/" + req.app_instance_user_arn, out);
    return to_value(out);
}

} // namespace

void register_identity_extras(store& s) {
    s.register_handler("CreateAppInstanceBot", create_app_instance_bot);
    s.register_handler("DescribeAppInstanceBot", describe_app_instance_bot);
    s.register_handler("UpdateAppInstanceBot", update_app_instance_bot);
    s.register_handler("DeleteAppInstanceBot", delete_app_instance_bot);
    s.register_handler("ListAppInstanceBots", list_app_instance_bots);
    s.register_handler("RegisterAppInstanceUserEndpoint", register_app_instance_user_endpoint);
    s.register_handler("DescribeAppInstanceUserEndpoint", describe_app_instance_user_endpoint);
    s.register_handler("UpdateAppInstanceUserEndpoint", update_app_instance_user_endpoint);
    s.register_handler("DeregisterAppInstanceUserEndpoint", deregister_app_instance_user_endpoint);
    s.register_handler("ListAppInstanceUserEndpoints", list_app_instance_user_endpoints);
    s.register_handler("PutAppInstanceRetentionSettings", put_app_instance_retention_settings);
    s.register_handler("GetAppInstanceRetentionSettings", get_app_instance_retention_settings);
    s.register_handler("PutAppInstanceUserExpirationSettings", put_app_instance_user_expiration_settings);
}

} // namespace chime::local
