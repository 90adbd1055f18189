// chimectl as a user runs it: a subprocess against the scripted server.

#include "support/test_server.hpp"
#include "support/test_support.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>

#include <sys/wait.h>

namespace json = boost::json;
using chime::test::reply;
using chime::test::test_server;

namespace {

struct outcome {
    int exit_code;
    std::string out;
    std::string err;
};

// Runs chimectl with `args` (already shell-quoted); stderr goes to a scratch file.
outcome chimectl(const std::string& args, const std::string& extra_env = "") {
    static chime::test::scratch_dir dir;
    const std::string err_file = (dir.path() / "stderr.txt").string();
    const std::string cmd = "AWS_ACCESS_KEY_ID=AKIDCTL AWS_SECRET_ACCESS_KEY=ctl/secret+key AWS_REGION=us-east-1 " +
                            extra_env + " HOME=" + dir.path().string() + " " CHIMECTL " " + args + " 2>" + err_file;
    FILE* p = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(p);
    std::string out;
    std::array<char, 4096> buf;
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), p))
        out.append(buf.data(), n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, chime::test::read_file(err_file)};
}

std::string flags(const test_server& s) {
    return " --endpoint-url " + s.url() + " --ca-bundle " + chime::test::loopback_ca_file();
}

const std::string list_input =
    R"('{"ChannelArn":"arn:aws:chime:us-east-1:1:app-instance/a/channel/c","ChimeBearer":"arn:aws:chime:us-east-1:1:app-instance/a/user/u","MaxResults":2,"NotBefore":"2024-01-02T03:04:05Z"}')";

reply paged(const chime::test::received_request& r) {
    if (r.target.find("next-token=t1") == std::string::npos)
        return reply{.body = R"({"ChannelArn":"c","ChannelMessages":[{"MessageId":"1"},{"MessageId":"2"}],"NextToken":"t1"})"};
    return reply{.body = R"({"ChannelArn":"c","ChannelMessages":[{"MessageId":"3"}]})"};
}

} // namespace

BOOST_AUTO_TEST_SUITE(chimectl_tool)

BOOST_AUTO_TEST_CASE(follows_pagination_and_merges) {
    test_server server({}, paged);
    const auto r = chimectl("chime-sdk-messaging list-channel-messages --cli-input-json " + list_input + flags(server));
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto doc = json::parse(r.out);
    BOOST_TEST(doc.at("ChannelMessages").as_array().size() == 3u);
    BOOST_TEST(doc.at("ChannelMessages").at(2).at("MessageId").as_string() == "3");
    BOOST_TEST(!doc.as_object().contains("NextToken"));
    BOOST_TEST(r.out.find("\n    \"ChannelArn\": \"c\"") != std::string::npos); // 4-space indentation
    const auto reqs = server.requests();
    BOOST_REQUIRE_EQUAL(reqs.size(), 2u);
    BOOST_TEST(reqs[0].target.find("not-before=2024-01-02T03%3A04%3A05Z") != std::string::npos);
    BOOST_TEST(reqs[1].target.find("next-token=t1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_paginate_returns_one_page) {
    test_server server({}, paged);
    const auto r = chimectl("chime-sdk-messaging list-channel-messages --no-paginate --cli-input-json " + list_input +
                            flags(server));
    BOOST_TEST(r.exit_code == 0, r.err);
    const auto doc = json::parse(r.out);
    BOOST_TEST(doc.at("ChannelMessages").as_array().size() == 2u);
    BOOST_TEST(doc.at("NextToken").as_string() == "t1");
}

BOOST_AUTO_TEST_CASE(service_errors_exit_254) {
    test_server server({}, [](const auto&) {
        return reply{.status = 404, .headers = {{"x-amzn-RequestId", "rid-1"}},
                     .body = R"({"Code":"NotFoundException","Message":"channel not found"})"};
    });
    const auto r = chimectl(
        R"(chime-sdk-messaging describe-channel --cli-input-json '{"ChannelArn":"arn:x","ChimeBearer":"arn:y"}')" +
        flags(server));
    BOOST_TEST(r.exit_code == 254);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err == "An error occurred (NotFoundException) when calling the DescribeChannel operation: "
                        "NotFoundException (HTTP 404): channel not found [request id rid-1]\n");
}

BOOST_AUTO_TEST_CASE(client_errors_exit_255) {
    test_server server;
    auto r = chimectl("chime-sdk-messaging send-channel-message --cli-input-json '{}'" + flags(server));
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err == "chimectl: SendChannelMessage: missing required member ChannelArn\n");
    r = chimectl("chime-sdk-messaging no-such-operation" + flags(server));
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err.find("unknown operation 'no-such-operation'") != std::string::npos);
    r = chimectl("chime-sdk-messaging list-channels --cli-input-json '{not json'" + flags(server));
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err.find("--cli-input-json: not valid JSON") != std::string::npos);
    r = chimectl("chime-sdk-messaging list-channels --bogus" + flags(server));
    BOOST_TEST(r.err == "chimectl: unknown option --bogus\n");
    BOOST_TEST(server.stats().requests == 0u);
}

BOOST_AUTO_TEST_CASE(debug_logs_the_exchange_without_secrets) {
    test_server server({}, paged);
    const auto r = chimectl("chime-sdk-messaging list-channel-messages --debug --cli-input-json " + list_input +
                            flags(server));
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.find("> GET " + server.url() + "/channels/") != std::string::npos);
    BOOST_TEST(r.err.find("Authorization: <redacted>") != std::string::npos);
    BOOST_TEST(r.err.find("ctl/secret+key") == std::string::npos);
    BOOST_TEST(r.err.find("< HTTP 200") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(debug_output_holds_no_secret_token_signature_or_sensitive_member) {
    // A service error after retries, so that --debug logs three exchanges and the error text is printed.
    test_server server({}, [](const chime::test::received_request&) {
        return reply{.status = 500, .headers = {{"x-amzn-ErrorType", "ServiceFailureException"}},
                     .body = R"({"Code":"ServiceFailureException","Message":"down"})"};
    });
    const std::string token = "CTLSESSIONTOKENdoNotLeak0123456789";
    const std::string content = "CTLCONTENTdoNotLeak";
    const std::string metadata = "CTLMETADATAdoNotLeak";
    const auto r = chimectl(
        "chime-sdk-messaging send-channel-message --debug --cli-input-json "
        R"('{"ChannelArn":"arn:aws:chime:us-east-1:1:app-instance/a/channel/c","ChimeBearer":"arn:aws:chime:us-east-1:1:app-instance/a/user/u","Type":"STANDARD","Persistence":"PERSISTENT","Content":")" +
            content + R"(","Metadata":")" + metadata + R"("}')" + flags(server),
        "AWS_SESSION_TOKEN=" + token);
    BOOST_TEST(r.exit_code == 254, r.err);
    BOOST_REQUIRE(server.requests().size() == 3u);
    const std::string auth(server.requests().at(0).header_value("authorization"));
    const std::string signature = auth.substr(auth.find("Signature=") + 10);
    BOOST_TEST(signature.size() == 64u);
    BOOST_TEST(server.requests().at(0).body.find(content) != std::string::npos); // sent, so the checks mean something
    const std::string all = r.out + r.err;
    BOOST_TEST(r.err.find("> POST ") != std::string::npos);
    for (const std::string& s : {std::string("ctl/secret+key"), token, content, metadata, signature})
        BOOST_TEST(all.find(s) == std::string::npos, "found " << s << " in: " << all);
}

BOOST_AUTO_TEST_CASE(tls_is_verified_unless_told_otherwise) {
    test_server server;
    auto r = chimectl("chime-sdk-messaging list-channels --endpoint-url " + server.url() +
                      R"( --cli-input-json '{"AppInstanceArn":"arn:a","ChimeBearer":"arn:b"}')");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err.find("certificate verification failed") != std::string::npos);
    r = chimectl("chime-sdk-messaging list-channels --no-verify-ssl --endpoint-url " + server.url() +
                 R"( --cli-input-json '{"AppInstanceArn":"arn:a","ChimeBearer":"arn:b"}')");
    BOOST_TEST(r.exit_code == 0, r.err);
}

BOOST_AUTO_TEST_CASE(options_may_come_first_as_with_the_aws_cli) {
    test_server server;
    auto r = chimectl("--no-verify-ssl --endpoint-url " + server.url() + " chime-sdk-messaging" +
                      R"( --cli-input-json '{"AppInstanceArn":"arn:a","ChimeBearer":"arn:b"}' list-channels)");
    BOOST_TEST(r.exit_code == 0, r.err);
    r = chimectl("--no-verify-ssl chime-sdk-messaging list-channels extra-word");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err == "chimectl: expected a service and an operation, got 3 words that are not options\n");
}

BOOST_AUTO_TEST_SUITE_END()
