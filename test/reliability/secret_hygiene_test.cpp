// Secret hygiene over the library's whole debug path: the wire log at its most verbose, metrics, both
// error forms (exception text and diagnostics, result error), `operator<<` / `to_string` of credentials and
// of a request with sensitive members. None may contain the secret key, the session token, the request's
// signature, or a member the model marks sensitive. (chimectl --debug is checked the same way in
// test/tools/chimectl_test.cpp.)

#include <chime/messaging/client.hpp>
#include <chime/messaging/model_json.hpp>

#include "support/test_server.hpp"
#include "support/test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace chime;
namespace asio = boost::asio;
namespace msg = chime::messaging;
using chime::test::reply;
using chime::test::test_server;

namespace {

const std::string secret = "SECRETKEYdoNotLeak0123456789abcdefghijklm";
const std::string token = "SESSIONTOKENdoNotLeak+/=abcdefghij0123456789";
const std::string sensitive_content = "CONTENTdoNotLeak: the launch code is 0000";
const std::string sensitive_metadata = "METADATAdoNotLeak";
const std::string sensitive_token = "IDEMPOTENCYdoNotLeak-0001";

// The signature the server received, from its Authorization header.
std::string signature_of(const test::received_request& r) {
    const std::string auth(r.header_value("authorization"));
    const auto at = auth.find("Signature=");
    return at == std::string::npos ? std::string() : auth.substr(at + 10);
}

void check_clean(const std::string& what, const std::string& text, const std::string& signature) {
    BOOST_TEST_CONTEXT(what << ": " << text) {
        BOOST_TEST(text.find(secret) == std::string::npos);
        BOOST_TEST(text.find(token) == std::string::npos);
        BOOST_TEST(text.find(sensitive_content) == std::string::npos);
        BOOST_TEST(text.find(sensitive_metadata) == std::string::npos);
        BOOST_TEST(text.find(sensitive_token) == std::string::npos);
        BOOST_TEST((signature.size() == 64 && text.find(signature) == std::string::npos));
    }
}

msg::send_channel_message_request sensitive_request() {
    return msg::send_channel_message_request{.channel_arn = "arn:aws:chime:us-east-1:111122223333:app-instance/a/channel/c",
                                             .content = sensitive_content,
                                             .type = msg::channel_message_type::standard,
                                             .persistence = msg::channel_message_persistence_type::persistent,
                                             .metadata = sensitive_metadata,
                                             .client_request_token = sensitive_token,
                                             .chime_bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/a/user/u"};
}

} // namespace

BOOST_AUTO_TEST_SUITE(secret_hygiene)

BOOST_AUTO_TEST_CASE(no_secret_or_sensitive_member_reaches_any_text_the_library_makes) {
    // A 400 whose message carries nothing secret, then a 500 burst: the exception, the result error and
    // the retry summary are all exercised.
    test_server server({}, [](const test::received_request& r) {
        if (r.index_on_connection == 0 && r.connection == 1)
            return reply{.status = 400, .headers = {{"x-amzn-ErrorType", "BadRequestException"}},
                         .body = R"({"Code":"BadRequestException","Message":"bad"})"};
        return reply{.status = 500, .headers = {{"x-amzn-ErrorType", "ServiceFailureException"}},
                     .body = R"({"Code":"ServiceFailureException","Message":"down"})"};
    });
    std::string log;
    std::ostringstream metrics;
    client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint_url = server.url();
    cfg.credentials = auth::make_static_provider({"AKIDHYGIENE", secret, token, {}, "test"});
    cfg.transport.pool.tls.ca_file = test::loopback_ca_file();
    cfg.transport.retry.transient_base = std::chrono::milliseconds(1);
    cfg.transport.logger = [&log](log_level, std::string_view line) { log.append(line).append("\n"); };
    cfg.transport.on_metrics = [&metrics](const call_metrics& m) {
        metrics << m.operation << ' ' << m.attempts << ' ' << m.http_status << ' ' << m.error.message() << '\n';
    };

    std::string thrown, thrown_diag, returned;
    test::run([&]() -> asio::awaitable<void> {
        msg::client c(co_await asio::this_coro::executor, cfg);
        try {
            auto req = sensitive_request();
            co_await c.send_channel_message(std::move(req));
        } catch (const chime::exception& e) {
            thrown = e.what();
            std::ostringstream d;
            d << e.diag().message << ' ' << e.diag().aws_code << ' ' << e.diag().request_id;
            thrown_diag = d.str();
        }
        auto req = sensitive_request();
        auto r = co_await c.send_channel_message(std::move(req), no_throw);
        if (!r)
            returned = r.error().message();
    }());
    BOOST_REQUIRE(server.requests().size() >= 2u);
    const std::string signature = signature_of(server.requests().at(0));
    BOOST_TEST(signature.size() == 64u);
    // The server did get the secrets (so the checks below are not vacuous)...
    BOOST_TEST(server.requests().at(0).body.find(sensitive_content) != std::string::npos);
    BOOST_TEST(server.requests().at(0).header_value("x-amz-security-token") == token);
    // ...and nothing the library wrote has them.
    BOOST_TEST(!log.empty());
    BOOST_TEST(log.find("<redacted>") != std::string::npos);
    check_clean("wire log", log, signature);
    check_clean("metrics", metrics.str(), signature);
    BOOST_TEST(!thrown.empty());
    check_clean("exception", thrown, signature);
    check_clean("diagnostics", thrown_diag, signature);
    BOOST_TEST(returned.find("after 3 attempts") != std::string::npos, returned);
    check_clean("result error", returned, signature);

    const auth::credentials creds{"AKIDHYGIENE", secret, token, {}, "test"};
    std::ostringstream printed;
    printed << creds;
    check_clean("operator<< credentials", printed.str() + auth::to_string(creds), signature);
    std::ostringstream req_printed;
    req_printed << sensitive_request();
    check_clean("operator<< request", req_printed.str() + msg::to_string(sensitive_request()), signature);
    BOOST_TEST(req_printed.str().find("Redacted") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
