// The generated model types and their JSON forms, for each of the four services.

#include <chime/classic/model_json.hpp>
#include <chime/identity/model_json.hpp>
#include <chime/meetings/model_json.hpp>
#include <chime/messaging/model_json.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace chime;
namespace json = boost::json;
using namespace std::chrono;

namespace {

template <class T>
T parse(std::string_view text) {
    T out;
    json_context ctx;
    if (!from_json(json::parse(text), out, ctx))
        throw std::runtime_error("from_json failed: " + ctx.error());
    return out;
}

template <class T>
std::string parse_error(std::string_view text) {
    T out;
    json_context ctx;
    BOOST_TEST(!from_json(json::parse(text), out, ctx));
    return ctx.error();
}

template <class T>
json::value to_value(const T& v, json_options o = {}) {
    json::value out;
    to_json(out, v, o);
    return out;
}

constexpr std::string_view list_messages_response = R"({
  "ChannelArn": "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def",
  "NextToken": "token+/=",
  "ChannelMessages": [
    {"MessageId": "m1", "Content": "hello", "Type": "STANDARD", "Redacted": false,
     "CreatedTimestamp": 1704164645.123, "LastUpdatedTimestamp": 1704164645,
     "Sender": {"Arn": "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/u", "Name": "U"},
     "MessageAttributes": {"k": {"StringValues": ["a", "b"]}},
     "Status": {"Value": "SENT"}, "SomeFutureField": {"nested": [1, 2]}},
    {"MessageId": "m2", "Type": "HOLOGRAM", "Status": {"Value": "PENDING"}}
  ],
  "SubChannelId": null
})";

} // namespace

BOOST_AUTO_TEST_SUITE(generated_model)

BOOST_AUTO_TEST_CASE(parses_a_messaging_response) {
    const auto r = parse<messaging::list_channel_messages_response>(list_messages_response);
    BOOST_TEST(*r.channel_arn == "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def");
    BOOST_TEST(*r.next_token == "token+/=");
    BOOST_TEST(!r.sub_channel_id); // null is absent
    BOOST_REQUIRE_EQUAL(r.channel_messages->size(), 2u);
    const auto& m = r.channel_messages->at(0);
    BOOST_TEST(*m.content == "hello");
    BOOST_TEST((*m.type == messaging::channel_message_type::standard));
    BOOST_TEST(m.type->is_known());
    BOOST_TEST(*m.redacted == false);
    BOOST_TEST(duration_cast<milliseconds>(m.created_timestamp->time_since_epoch()).count() == 1704164645123);
    BOOST_TEST(m.sender->name.value() == "U");
    BOOST_TEST(m.message_attributes->at("k").string_values->at(1) == "b");
    BOOST_TEST((m.status->value == messaging::channel_message_status::sent));
    // A value this model version does not know survives.
    const auto& m2 = r.channel_messages->at(1);
    BOOST_TEST(m2.type->value == "HOLOGRAM");
    BOOST_TEST(!m2.type->is_known());
}

BOOST_AUTO_TEST_CASE(errors_name_the_path) {
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(
                   R"({"ChannelMessages": [{"MessageId": "a"}, {"Content": 5}]})") ==
               "ChannelMessages[1].Content: expected a string");
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(R"({"ChannelMessages": {}})") ==
               "ChannelMessages: expected an array");
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(R"([])") == "expected an object");
    BOOST_TEST(parse_error<identity::list_app_instance_users_request>(R"({"MaxResults": 1.5})") ==
               "MaxResults: expected an integer");
    BOOST_TEST(parse_error<identity::list_app_instance_users_request>(R"({"MaxResults": 3000000000})") ==
               "MaxResults: integer out of range");
    // Found by fuzz_responses and fuzz_session_events: times the clock cannot hold are errors, not overflow.
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(
                   R"({"ChannelMessages": [{"CreatedTimestamp": 65575451045}]})") ==
               "ChannelMessages[0].CreatedTimestamp: epoch seconds out of range (the years 1685 to 2255)");
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(
                   R"({"ChannelMessages": [{"CreatedTimestamp": "9999-12-31T23:59:59Z"}]})").starts_with(
        "ChannelMessages[0].CreatedTimestamp: expected an ISO-8601 time"));
    BOOST_TEST(parse_error<messaging::list_channel_messages_response>(
                   R"({"ChannelMessages": [{"CreatedTimestamp": -1e300}]})").find("out of range") != std::string::npos);
    const auto edge = parse<messaging::list_channel_messages_response>(
        R"({"ChannelMessages": [{"CreatedTimestamp": "2250-01-01T00:00:00Z"}, {"CreatedTimestamp": 8.9e9}]})");
    BOOST_TEST(edge.channel_messages->size() == 2u);
}

BOOST_AUTO_TEST_CASE(serializes_a_request_body_and_redacts) {
    messaging::send_channel_message_request req;
    req.channel_arn = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def";
    req.chime_bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/u";
    req.content = "secret text";
    req.type = messaging::channel_message_type::standard;
    req.persistence = messaging::channel_message_persistence_type::persistent;
    req.client_request_token = "9f8a2c1e-1111-4222-8333-944445555666";
    req.message_attributes = std::map<std::string, messaging::message_attribute_value>{
        {"topic", {.string_values = std::vector<std::string>{"news"}}}};

    const json::value full = to_value(req);
    BOOST_TEST(full.at("ChannelArn").as_string() == req.channel_arn);
    BOOST_TEST(full.at("ChimeBearer").as_string() == req.chime_bearer);

    const json::value body = to_value(req, {.body_only = true});
    BOOST_TEST(!body.as_object().contains("ChannelArn")); // bound to the URI
    BOOST_TEST(!body.as_object().contains("ChimeBearer")); // bound to x-amz-chime-bearer
    BOOST_TEST(body.at("Content").as_string() == "secret text");
    BOOST_TEST(body.at("Type").as_string() == "STANDARD");
    BOOST_TEST(body.at("MessageAttributes").at("topic").at("StringValues").at(0).as_string() == "news");
    BOOST_TEST(!body.as_object().contains("Metadata")); // absent optionals are left out

    const std::string redacted = json::serialize(to_value(req, {.redact_sensitive = true}));
    BOOST_TEST(redacted.find("secret text") == std::string::npos);
    BOOST_TEST(redacted.find("9f8a2c1e") == std::string::npos);
    BOOST_TEST(redacted.find("*** Sensitive Data Redacted ***") != std::string::npos);
    BOOST_TEST(redacted.find("news") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(round_trips) {
    const auto r = parse<messaging::list_channel_messages_response>(list_messages_response);
    const auto again = parse<messaging::list_channel_messages_response>(json::serialize(to_value(r)));
    BOOST_TEST(json::serialize(to_value(again)) == json::serialize(to_value(r)));
    const json::value v = to_value(r);
    BOOST_TEST(v.at("ChannelMessages").at(0).at("CreatedTimestamp").as_double() == 1704164645.123);
    BOOST_TEST(v.at("ChannelMessages").at(0).at("LastUpdatedTimestamp").as_int64() == 1704164645);
    BOOST_TEST(v.at("ChannelMessages").at(1).at("Type").as_string() == "HOLOGRAM");
}

BOOST_AUTO_TEST_CASE(every_service) {
    const auto meeting = parse<classic::create_meeting_response>(R"({"Meeting": {"MeetingId": "m-1",
        "MediaRegion": "us-east-1", "MediaPlacement": {"AudioHostUrl": "a.example:3478",
        "SignalingUrl": "wss://s.example/control/m-1"}}})");
    BOOST_TEST(meeting.meeting->media_placement->signaling_url.value() == "wss://s.example/control/m-1");

    identity::create_app_instance_user_request user;
    user.app_instance_arn = "arn:aws:chime:us-east-1:111122223333:app-instance/abc";
    user.app_instance_user_id = "u-1";
    user.name = "User One";
    user.client_request_token = "t";
    BOOST_TEST(to_value(user, {.body_only = true}).at("AppInstanceUserId").as_string() == "u-1");

    const auto attendee = parse<meetings::create_attendee_response>(
        R"({"Attendee": {"AttendeeId": "a-1", "ExternalUserId": "ext", "JoinToken": "jt"}})");
    BOOST_TEST(attendee.attendee->join_token.value() == "jt");
    BOOST_TEST(json::serialize(to_value(attendee, {.redact_sensitive = true})).find("\"jt\"") == std::string::npos);

    const auto err = parse<messaging::throttled_client_exception>(R"({"Code": "ThrottledClientException", "Message": "slow"})");
    BOOST_TEST(err.message.value() == "slow");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loggable_forms)

BOOST_AUTO_TEST_CASE(to_string_and_stream_redact_sensitive_members) {
    messaging::channel_message m;
    m.channel_arn = "arn:aws:chime:us-east-1:111122223333:app-instance/a/channel/c";
    m.content = "the secret plan";
    m.metadata = "private metadata";
    m.sender = messaging::identity{.arn = "arn:u", .name = "Jane Roe"};
    m.type = messaging::channel_message_type::standard;
    const std::string text = to_string(m);
    BOOST_TEST(text.find("the secret plan") == std::string::npos);
    BOOST_TEST(text.find("private metadata") == std::string::npos);
    BOOST_TEST(text.find("Jane Roe") == std::string::npos); // Identity.Name is sensitive too
    BOOST_TEST(text.find(R"("Content":"*** Sensitive Data Redacted ***")") != std::string::npos);
    BOOST_TEST(text.find(R"("ChannelArn":"arn:aws:chime:us-east-1:111122223333:app-instance/a/channel/c")") !=
               std::string::npos);
    BOOST_TEST(text.find(R"("Type":"STANDARD")") != std::string::npos);
    std::ostringstream os;
    os << m;
    BOOST_TEST(os.str() == text);
    // The JSON form for the wire keeps everything.
    BOOST_TEST(to_value(m).at("Content").as_string() == "the secret plan");
}

BOOST_AUTO_TEST_CASE(requests_with_sensitive_members_log_safely) {
    messaging::send_channel_message_request r;
    r.channel_arn = "arn:c";
    r.content = "hello, secret";
    r.chime_bearer = "arn:u";
    std::ostringstream os;
    os << r;
    BOOST_TEST(os.str().find("hello, secret") == std::string::npos);
    BOOST_TEST(os.str().find("arn:u") != std::string::npos);
    BOOST_TEST(to_string(messaging::channel_message_type::control) == R"("CONTROL")");
}

BOOST_AUTO_TEST_SUITE_END()
