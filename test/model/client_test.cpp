// Generated clients against the scripted server: what goes on the wire, validation before sending,
// idempotency tokens, both error forms, host prefixes.

#include <chime/classic/client.hpp>
#include <chime/messaging/client.hpp>

#include "model/operation_codec.hpp"
#include "support/test_server.hpp"
#include "util/uuid.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

using namespace chime;
namespace json = boost::json;
namespace asio = boost::asio;
using chime::test::reply;
using chime::test::run;
using chime::test::test_server;

namespace {

const std::string channel = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def";
const std::string bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/u";
const std::string enc_channel = "arn%3Aaws%3Achime%3Aus-east-1%3A111122223333%3Aapp-instance%2Fabc%2Fchannel%2Fdef";

client_config config_for(const test_server& s) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint_url = s.url();
    c.credentials = auth::make_static_provider({"AKIDCLIENT", "secret", "", {}, ""});
    c.transport.pool.tls.ca_file = chime::test::loopback_ca_file();
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(generated_clients)

BOOST_AUTO_TEST_CASE(send_channel_message_on_the_wire) {
    test_server server({}, [](const auto&) {
        return reply{.status = 201, .body = R"({"ChannelArn":"arn:c","MessageId":"m-1","Status":{"Value":"SENT"}})"};
    });
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::send_channel_message_request req;
        req.channel_arn = channel;
        req.chime_bearer = bearer;
        req.content = "hello + world = ✓";
        req.type = messaging::channel_message_type::standard;
        req.persistence = messaging::channel_message_persistence_type::persistent;
        const auto r = co_await c.send_channel_message(std::move(req));
        BOOST_TEST(r.message_id.value() == "m-1");
        BOOST_TEST((r.status->value == messaging::channel_message_status::sent));
    }());
    const auto got = server.requests().at(0);
    BOOST_TEST(got.method == "POST");
    BOOST_TEST(got.target == "/channels/" + enc_channel + "/messages");
    BOOST_TEST(got.header_value("x-amz-chime-bearer") == bearer);
    BOOST_TEST(got.header_value("Content-Type") == "application/json");
    const auto body = json::parse(got.body).as_object();
    BOOST_TEST(body.at("Content").as_string() == "hello + world = ✓");
    BOOST_TEST(body.at("Type").as_string() == "STANDARD");
    BOOST_TEST(!body.contains("ChannelArn"));
    BOOST_TEST(!body.contains("ChimeBearer"));
    const std::string token(body.at("ClientRequestToken").as_string()); // filled: a UUIDv4
    BOOST_TEST(std::regex_match(token, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
    BOOST_TEST(std::string(got.header_value("Authorization")).find("x-amz-chime-bearer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(list_channel_messages_query) {
    test_server server({}, [](const auto&) { return reply{.body = R"({"ChannelMessages":[]})"}; });
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::list_channel_messages_request req{.channel_arn = channel, .sort_order = messaging::sort_order::descending,
                                                      .not_before = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} +
                                                                    std::chrono::hours{3},
                                                      .max_results = 50, .next_token = "a+b/c==", .chime_bearer = bearer};
        const auto r = co_await c.list_channel_messages(std::move(req), no_throw);
        BOOST_TEST(r.has_value());
        BOOST_TEST(r->channel_messages->empty());
    }());
    const auto got = server.requests().at(0);
    BOOST_TEST(got.method == "GET");
    BOOST_TEST(got.body.empty());
    BOOST_TEST(got.header_value("Content-Type").empty());
    BOOST_TEST(got.target == "/channels/" + enc_channel +
                                 "/messages?max-results=50&next-token=a%2Bb%2Fc%3D%3D&not-before=2024-01-02T03%3A00%3A00Z"
                                 "&sort-order=DESCENDING"); // keys in order, as the AWS SDKs write them
}

BOOST_AUTO_TEST_CASE(required_members_are_checked_before_sending) {
    test_server server;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::send_channel_message_request req;
        req.channel_arn = channel;
        req.chime_bearer = bearer;
        req.type = messaging::channel_message_type::standard;
        req.persistence = messaging::channel_message_persistence_type::persistent;
        const auto r = co_await c.send_channel_message(std::move(req), no_throw);
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error().code == errc::invalid_request));
        BOOST_TEST(r.error().message() == "SendChannelMessage: missing required member Content");
    }());
    BOOST_TEST(server.stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(tokens_are_distinct_uuid_v4_also_across_fork) {
    const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 5000; ++i) { // several refills of the per-thread random buffer
        const std::string t = chime::detail::secure_uuid_v4().value();
        BOOST_TEST_REQUIRE(std::regex_match(t, v4), t);
        seen.insert(t);
    }
    BOOST_TEST(seen.size() == 5000u);

    // A forked child must not hand out the buffered bytes its parent will use next.
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        const std::string t = chime::detail::secure_uuid_v4().value_or("");
        (void)!::write(fds[1], t.data(), t.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    const std::string mine = chime::detail::secure_uuid_v4().value();
    char buf[64] = {};
    const auto n = ::read(fds[0], buf, sizeof buf);
    ::close(fds[0]);
    ::waitpid(child, nullptr, 0);
    BOOST_TEST(n == 36);
    BOOST_TEST(std::string(buf, n > 0 ? std::size_t(n) : 0) != mine);
}

BOOST_AUTO_TEST_CASE(a_given_idempotency_token_is_kept) {
    test_server server({}, [](const auto&) { return reply{.status = 201, .body = R"({"ChannelArn":"x"})"}; });
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::create_channel_request req;
        req.app_instance_arn = "arn:aws:chime:us-east-1:111122223333:app-instance/abc";
        req.name = "room";
        req.chime_bearer = bearer;
        req.client_request_token = "my-token-1";
        co_await c.create_channel(std::move(req));
    }());
    BOOST_TEST(json::parse(server.requests().at(0).body).at("ClientRequestToken").as_string() == "my-token-1");
}

BOOST_AUTO_TEST_CASE(service_errors_in_both_forms_and_void_outputs) {
    test_server server({}, [](const test::received_request& r) {
        if (r.method == "DELETE")
            return reply{.status = 204, .body = ""};
        return reply{.status = 404, .headers = {{"x-amzn-RequestId", "rid-9"}},
                     .body = R"({"Code":"NotFoundException","Message":"no such channel"})"};
    });
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::describe_channel_request d{.channel_arn = channel, .chime_bearer = bearer};
        try {
            co_await c.describe_channel(d);
            BOOST_FAIL("describe_channel did not throw");
        } catch (const chime::exception& e) {
            BOOST_TEST((e.code() == aws_errc::not_found));
            BOOST_TEST((e.code() == condition::not_found));
            BOOST_TEST(e.diag().request_id == "rid-9");
            BOOST_TEST(std::string(e.what()).find("no such channel") != std::string::npos);
        }
        messaging::delete_channel_request del{.channel_arn = channel, .chime_bearer = bearer};
        co_await c.delete_channel(std::move(del)); // 204, no output
    }());
    BOOST_TEST(server.requests().at(1).method == "DELETE");
}

BOOST_AUTO_TEST_CASE(static_query_and_malformed_responses) {
    test_server server({}, [](const auto&) { return reply{.body = R"({"BatchChannelMemberships": 5})"}; });
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        messaging::client c(ex, config_for(server));
        messaging::batch_create_channel_membership_request req;
        req.channel_arn = channel;
        req.member_arns = {bearer};
        req.chime_bearer = bearer;
        const auto r = co_await c.batch_create_channel_membership(std::move(req), no_throw);
        BOOST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error().code == errc::bad_response));
        BOOST_TEST(r.error().message() ==
                   "BatchCreateChannelMembership: unexpected response: BatchChannelMemberships: expected an object");
    }());
    BOOST_TEST(server.requests().at(0).target == "/channels/" + enc_channel + "/memberships?operation=batch-create");
}

BOOST_AUTO_TEST_CASE(query_and_header_values) {
    std::string q;
    detail::append_query(q, "flag", true);
    detail::append_query(q, "off", false);
    detail::append_query(q, "n", std::int32_t{-5});
    detail::append_query(q, "big", std::int64_t{1} << 40);
    detail::append_query(q, "t", std::chrono::sys_days{std::chrono::year{2024} / 2 / 29} + std::chrono::seconds{1});
    detail::append_query(q, "list", std::vector<std::string>{"a b", "c+d"});
    detail::append_query(q, "mode", messaging::channel_mode::restricted);
    BOOST_TEST(q == "flag=true&off=false&n=-5&big=1099511627776&t=2024-02-29T00%3A00%3A01Z&list=a%20b&list=c%2Bd"
                    "&mode=RESTRICTED");
    BOOST_TEST(detail::header_text(true) == "true");
    BOOST_TEST(detail::header_text(messaging::channel_mode::unrestricted) == "UNRESTRICTED");
    std::string path = "/k/";
    detail::append_label(path, "a/b c", true);
    detail::append_label(path, "a/b", false);
    BOOST_TEST(path == "/k/a/b%20ca%2Fb");
}

BOOST_AUTO_TEST_CASE(host_prefixes) {
    asio::io_context ioc;
    client_config cfg;
    cfg.credentials = auth::make_static_provider({"AKID", "s", "", {}, ""});
    classic::client aws(ioc.get_executor(), cfg); // the global endpoint, signing region us-east-1
    BOOST_TEST(aws.core().endpoint().host == "chime.us-east-1.amazonaws.com");
    BOOST_TEST(aws.core().region() == "us-east-1");
    BOOST_TEST(aws.core().endpoint_for({"SendChannelMessage", "messaging-"}).host ==
               "messaging-chime.us-east-1.amazonaws.com");
    BOOST_TEST(aws.core().endpoint_for({"CreateAppInstance", "identity-"}).host ==
               "identity-chime.us-east-1.amazonaws.com");
    BOOST_TEST(aws.core().endpoint_for({"CreateRoom", ""}).host == "chime.us-east-1.amazonaws.com");

    cfg.host_prefix = false;
    classic::client off(ioc.get_executor(), cfg);
    BOOST_TEST(off.core().endpoint_for({"SendChannelMessage", "messaging-"}).host == "chime.us-east-1.amazonaws.com");

    cfg.host_prefix = true;
    for (const char* local : {"https://localhost:4443", "http://127.0.0.1:8080", "https://[::1]:4443"}) {
        cfg.endpoint_url = local;
        classic::client l(ioc.get_executor(), cfg);
        BOOST_TEST(l.core().endpoint_for({"SendChannelMessage", "messaging-"}).host == l.core().endpoint().host);
    }

    client_config regional;
    regional.region = "eu-central-1";
    regional.credentials = cfg.credentials;
    messaging::client m(ioc.get_executor(), regional);
    BOOST_TEST(m.core().endpoint().origin() == "https://messaging-chime.eu-central-1.amazonaws.com:443");
}

BOOST_AUTO_TEST_SUITE_END()
