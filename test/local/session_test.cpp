// chime-local's messaging-session websocket: a presigned /connect upgrades, SESSION_ESTABLISHED comes
// first, REST actions arrive as frames in the service's format, prefetch sends CHANNEL_DETAILS, bad
// signatures close with 4401, and the control route drops sessions.

#include "local/local_support.hpp"

#include <chime/auth/sigv4.hpp>
#include <chime/identity/client.hpp>
#include <chime/messaging/client.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace chime;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
namespace msg = chime::messaging;
namespace id = chime::identity;
using chime::test::run;
using tcp = asio::ip::tcp;
using ws_stream = websocket::stream<asio::ssl::stream<beast::tcp_stream>>;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

// The URL path and query of a presigned /connect for `user`, as the messaging-session client builds it.
std::string connect_target(const std::string& host, const std::string& user, const std::string& secret,
                           bool prefetch = false) {
    auth::signer signer;
    const auth::header_field h{"host", host};
    auth::signing_params p{.region = "us-east-1", .service = "chime", .time = std::chrono::system_clock::now()};
    p.expires = std::chrono::seconds(10);
    const std::string query = "userArn=" + uri_encode(user) + "&sessionId=42" + (prefetch ? "&prefetch-on=connect" : "");
    const auto q = signer.presign({.method = "GET", .path = "/connect", .query = query, .headers = std::span(&h, 1),
                                   .payload_hash = {}},
                                  {test::local_access_key, secret, "", {}, ""}, p);
    return "/connect?" + q.query;
}

asio::awaitable<std::unique_ptr<ws_stream>> open(asio::ssl::context& ctx, std::uint16_t port, const std::string& target) {
    const auto ex = co_await asio::this_coro::executor;
    auto ws = std::make_unique<ws_stream>(ex, ctx);
    co_await beast::get_lowest_layer(*ws).async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                                        asio::use_awaitable);
    co_await ws->next_layer().async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    const std::string host = "127.0.0.1:" + std::to_string(port);
    co_await ws->async_handshake(host, target, asio::use_awaitable);
    co_return ws;
}

asio::awaitable<json::object> next_frame(ws_stream& ws) {
    beast::flat_buffer b;
    co_await ws.async_read(b, asio::use_awaitable);
    co_return json::parse(beast::buffers_to_string(b.data())).as_object();
}

std::string event_type(const json::object& f) { return std::string(f.at("Headers").at("x-amz-chime-event-type").as_string()); }

} // namespace

BOOST_AUTO_TEST_SUITE(chime_local_messaging_session)

BOOST_AUTO_TEST_CASE(events_reach_connected_members) {
    test::local_emulator local;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(local.ca_file());
    ctx.set_verify_mode(asio::ssl::verify_peer);
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, local.config());
        msg::client m(ex, local.config());
        id::create_app_instance_request ai_req{.name = "ws"};
        const auto ai = *(co_await ids.create_app_instance(std::move(ai_req))).app_instance_arn;
        std::string alice, bob;
        for (auto [who, out] : {std::pair{"alice", &alice}, {"bob", &bob}}) {
            id::create_app_instance_user_request u{.app_instance_arn = ai, .app_instance_user_id = who, .name = who};
            *out = *(co_await ids.create_app_instance_user(std::move(u))).app_instance_user_arn;
        }
        msg::create_channel_request ch{.app_instance_arn = ai, .name = "room", .chime_bearer = alice,
                                       .member_arns = std::vector<std::string>{bob}};
        const auto channel = *(co_await m.create_channel(std::move(ch))).channel_arn;

        // GetMessagingSessionEndpoint answers this server's host:port, without a scheme.
        msg::get_messaging_session_endpoint_request ep_req;
        const auto ep = co_await m.get_messaging_session_endpoint(ep_req);
        const std::string host = "127.0.0.1:" + std::to_string(local.server.port());
        BOOST_TEST(*ep.endpoint->url == host);

        auto ws = co_await open(ctx, local.server.port(), connect_target(host, bob, test::local_secret_key, true));
        auto first = co_await next_frame(*ws);
        BOOST_TEST(event_type(first) == "SESSION_ESTABLISHED");
        const auto details = co_await next_frame(*ws); // prefetch: the one channel bob is in
        BOOST_TEST(event_type(details) == "CHANNEL_DETAILS");
        BOOST_TEST(json::parse(details.at("Payload").as_string()).at("Channel").at("ChannelArn").as_string() == channel);

        msg::send_channel_message_request s{.channel_arn = channel, .content = "hi bob",
                                            .type = msg::channel_message_type::standard,
                                            .persistence = msg::channel_message_persistence_type::persistent,
                                            .chime_bearer = alice};
        const auto sent = co_await m.send_channel_message(std::move(s));
        const auto frame = co_await next_frame(*ws);
        BOOST_TEST(event_type(frame) == "CREATE_CHANNEL_MESSAGE");
        BOOST_TEST(frame.at("Headers").at("x-amz-chime-message-type").as_string() == "STANDARD");
        // The payload is JSON inside a string, timestamps as ISO-8601 text.
        const auto payload = json::parse(frame.at("Payload").as_string()).as_object();
        BOOST_TEST(payload.at("MessageId").as_string() == *sent.message_id);
        BOOST_TEST(payload.at("Content").as_string() == "hi bob");
        BOOST_TEST(payload.at("CreatedTimestamp").is_string());
        BOOST_TEST(local.server.stats().at("ws_sessions_open").to_number<int>() == 1);

        // Dropped (as by POST /_chime_local/ws/drop): the client sees the connection fail, not a close frame.
        BOOST_TEST(local.server.drop_sessions(bob) == 1u);
        beast::flat_buffer b;
        auto [ec, n] = co_await ws->async_read(b, tuple_awaitable);
        BOOST_TEST(ec.failed());
        BOOST_TEST((ec != websocket::error::closed));
    }());
}

BOOST_AUTO_TEST_CASE(a_bad_signature_is_closed_with_4401) {
    test::local_emulator local;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(local.ca_file());
    ctx.set_verify_mode(asio::ssl::verify_peer);
    run([&]() -> asio::awaitable<void> {
        const std::string host = "127.0.0.1:" + std::to_string(local.server.port());
        auto ws = co_await open(ctx, local.server.port(), connect_target(host, "arn:aws:chime:x", "wrong-secret"));
        beast::flat_buffer b;
        auto [ec, n] = co_await ws->async_read(b, tuple_awaitable);
        BOOST_TEST((ec == websocket::error::closed));
        BOOST_TEST(ws->reason().code == 4401);
        BOOST_TEST(std::string(ws->reason().reason.data(), ws->reason().reason.size()) == "Unauthorized");
    }());
}

BOOST_AUTO_TEST_SUITE_END()
