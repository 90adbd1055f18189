// The error model: conditions over every category, AWS error decoding, exceptions and results.

#include <chime/error.hpp>
#include <chime/http/message.hpp>

#include <boost/test/unit_test.hpp>

#include <sstream>

using namespace chime;

namespace {

http::response error_response(unsigned status, std::string body, std::vector<http::header> headers = {}) {
    http::response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(error_model)

BOOST_AUTO_TEST_CASE(conditions_of_client_codes) {
    for (auto e : {errc::connect_failed, errc::connection_reset, errc::request_timeout, errc::connect_timeout,
                   errc::resolve_failed})
        BOOST_TEST((make_error_code(e) == condition::retryable));
    for (auto e : {errc::tls_verify_failed, errc::body_too_large, errc::cancelled, errc::pool_closed,
                   errc::invalid_request, errc::bad_response})
        BOOST_TEST(!(make_error_code(e) == condition::retryable));
    BOOST_TEST((make_error_code(errc::no_credentials) == condition::auth_failed));
    BOOST_TEST(!(make_error_code(errc::connection_reset) == condition::throttled));
}

BOOST_AUTO_TEST_CASE(conditions_of_service_codes) {
    BOOST_TEST((make_error_code(aws_errc::throttled_client) == condition::throttled));
    BOOST_TEST((make_error_code(aws_errc::throttled_client) == condition::retryable));
    BOOST_TEST((make_error_code(aws_errc::throttling) == condition::throttled));
    BOOST_TEST((make_error_code(aws_errc::service_unavailable) == condition::retryable));
    BOOST_TEST(!(make_error_code(aws_errc::service_unavailable) == condition::throttled));
    BOOST_TEST(!(make_error_code(aws_errc::bad_request) == condition::retryable));
    BOOST_TEST((make_error_code(aws_errc::invalid_signature) == condition::auth_failed));
    BOOST_TEST((make_error_code(aws_errc::resource_not_found) == condition::not_found));
    const error_code http429(429, http_category()), http503(503, http_category()),
        http404(404, http_category());
    BOOST_TEST((http429 == condition::throttled));
    BOOST_TEST((http503 == condition::retryable));
    BOOST_TEST(!(http503 == condition::throttled));
    BOOST_TEST((http404 == condition::not_found));
    BOOST_TEST(!(error_code(400, http_category()) == condition::retryable));
}

BOOST_AUTO_TEST_CASE(aws_names) {
    BOOST_TEST(aws_errc_from_name("ThrottledClientException") == int(aws_errc::throttled_client));
    BOOST_TEST(aws_errc_from_name("SlowDown") == int(aws_errc::throttling));
    BOOST_TEST(aws_errc_from_name("EC2ThrottledException") == int(aws_errc::throttling));
    BOOST_TEST(aws_errc_from_name("NoSuchThing") == 0);
    BOOST_TEST(make_error_code(aws_errc::throttling).message() == "ThrottlingException");
}

BOOST_AUTO_TEST_CASE(decodes_error_type_header) {
    const auto e = http::service_error(
        error_response(429, R"({"Code":"ThrottledClientException","Message":"Rate exceeded"})",
                       {{"x-amzn-ErrorType",
                         "ThrottledClientException:http://internal.amazon.com/coral/com.amazonaws.chime/"},
                        {"x-amzn-RequestId", "req-1"}}));
    BOOST_TEST((e.code == aws_errc::throttled_client));
    BOOST_TEST((e.code == condition::throttled));
    BOOST_TEST(e.diag->http_status == 429u);
    BOOST_TEST(e.diag->aws_code == "ThrottledClientException");
    BOOST_TEST(e.diag->request_id == "req-1");
    BOOST_TEST(e.message() == "ThrottledClientException (HTTP 429): Rate exceeded [request id req-1]");
}

BOOST_AUTO_TEST_CASE(decodes_body_forms) {
    auto e =
        http::service_error(error_response(404, R"({"Code":"NotFoundException","Message":"no channel"})"));
    BOOST_TEST((e.code == aws_errc::not_found));
    BOOST_TEST((e.code == condition::not_found));
    e = http::service_error(
        error_response(400, R"({"__type":"com.amazonaws.chime#BadRequestException","message":"bad"})"));
    BOOST_TEST((e.code == aws_errc::bad_request));
    BOOST_TEST(e.diag->aws_code == "BadRequestException");
    BOOST_TEST(e.message() == "BadRequestException (HTTP 400): bad");
    e = http::service_error(error_response(503, "<html>oops</html>"));
    BOOST_TEST((e.code == error_code(503, http_category())));
    BOOST_TEST((e.code == condition::retryable));
    BOOST_TEST(e.message() == "HTTP 503");
    e = http::service_error(error_response(418, R"({"Code":"TeapotException"})"));
    BOOST_TEST((e.code == error_code(418, http_category())));
    BOOST_TEST(e.diag->aws_code == "TeapotException");
}

BOOST_AUTO_TEST_CASE(status_classifies_before_name) {
    // A name that says "final" on a status that says "retry" keeps the status.
    auto e = http::service_error(error_response(503, R"({"Code":"BadRequestException"})"));
    BOOST_TEST((e.code == error_code(503, http_category())));
    BOOST_TEST((e.code == condition::retryable));
    e = http::service_error(error_response(429, R"({"Code":"ForbiddenException"})"));
    BOOST_TEST((e.code == condition::throttled));
    // A non-classifying status lets the name decide: AWS throttling names on a 400.
    e = http::service_error(error_response(400, R"({"__type":"ThrottlingException"})"));
    BOOST_TEST((e.code == aws_errc::throttling));
    BOOST_TEST((e.code == condition::throttled));
}

BOOST_AUTO_TEST_CASE(exceptions_and_results) {
    result<int> r =
        error(make_error_code(errc::request_timeout), "no complete response in time from https://h:443");
    BOOST_TEST(!r.has_value());
    try {
        (void)r.value();
        BOOST_FAIL("value() did not throw");
    } catch (const exception& e) {
        BOOST_TEST(std::string(e.what()) == "no complete response in time from https://h:443");
        BOOST_TEST((e.code() == errc::request_timeout));
        BOOST_TEST((e.code() == condition::retryable));
        BOOST_TEST(e.diag().message == e.what());
        const exception copy = e; // copies share the diagnostics
        BOOST_TEST(copy.what() == e.what());
    }
    const exception bare(make_error_code(errc::cancelled), "");
    BOOST_TEST(std::string(bare.what()) == "cancelled");
    std::ostringstream os;
    os << error(make_error_code(aws_errc::not_found), diagnostics{"gone", 404, "NotFoundException", "rid"});
    BOOST_TEST(os.str() == "gone [chime.aws:4, request id rid]");
}

BOOST_AUTO_TEST_SUITE_END()
