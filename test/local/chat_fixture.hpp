#pragma once
// The chat most messaging tests start from: an app instance with alice, bob and carol, and a channel alice
// created with bob in it; and a moderation channel flow.

#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <utility>

namespace chime::test {

struct chat {
    std::string app_instance, alice, bob, carol, channel;
};

inline boost::asio::awaitable<chat> make_chat(identity::client& ids, messaging::client& m,
                                              messaging::channel_mode mode = messaging::channel_mode::unrestricted,
                                              messaging::channel_privacy privacy = messaging::channel_privacy::public_) {
    chat c;
    identity::create_app_instance_request ai{.name = "chat"};
    c.app_instance = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
    for (auto [who, out] : {std::pair{"alice", &c.alice}, {"bob", &c.bob}, {"carol", &c.carol}}) {
        identity::create_app_instance_user_request u{.app_instance_arn = c.app_instance, .app_instance_user_id = who, .name = who};
        *out = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
    }
    messaging::create_channel_request ch{.app_instance_arn = c.app_instance, .name = "general", .mode = mode,
                                         .privacy = privacy, .chime_bearer = c.alice,
                                         .member_arns = std::vector<std::string>{c.bob}};
    c.channel = *(co_await m.create_channel(std::move(ch))).channel_arn;
    co_return c;
}

/// Creates a channel flow with one Lambda processor and associates it with the chat's channel: messages
/// then stay PENDING until a ChannelFlowCallback.
inline boost::asio::awaitable<std::string> moderate_with_flow(messaging::client& m, const chat& c) {
    namespace msg = messaging;
    msg::create_channel_flow_request f{
        .app_instance_arn = c.app_instance,
        .processors = {msg::processor{.name = "moderation",
                                      .configuration = msg::processor_configuration{.lambda = msg::lambda_configuration{
                                          .resource_arn = "arn:aws:lambda:us-east-1:123456789012:function:mod",
                                          .invocation_type = msg::invocation_type::async}},
                                      .execution_order = 1, .fallback_action = msg::fallback_action::abort}},
        .name = "mod"};
    const auto flow = *(co_await m.create_channel_flow(std::move(f))).channel_flow_arn;
    msg::associate_channel_flow_request assoc{.channel_arn = c.channel, .channel_flow_arn = flow, .chime_bearer = c.alice};
    co_await m.associate_channel_flow(std::move(assoc));
    co_return flow;
}

} // namespace chime::test
