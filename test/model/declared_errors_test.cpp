// Every error the four models declare decodes to its typed code, from either wire form AWS uses:
// the x-amzn-ErrorType header, or only the JSON body's Code. Its message and request id come through.

#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/test/unit_test.hpp>

#include <span>

using namespace chime;

namespace {

void check(std::string_view service, std::span<const declared_error> errors) {
    BOOST_TEST(!errors.empty());
    for (const auto& e : errors) {
        BOOST_TEST_CONTEXT(service << " " << e.name) {
            http::response with_header;
            with_header.status = e.http_status;
            with_header.headers = {{"x-amzn-RequestId", "req-7"},
                                   {"x-amzn-ErrorType", std::string(e.name) + ":http://internal.amazon.com/"}};
            with_header.body = R"({"Code":"ignored when the header is there","Message":"went wrong"})";
            const error a = http::service_error(with_header);
            BOOST_TEST((a.code == make_error_code(e.code)));
            BOOST_TEST(a.message() == std::string(e.name) + " (HTTP " + std::to_string(e.http_status) +
                                          "): went wrong [request id req-7]");
            BOOST_TEST(a.diag->request_id == "req-7");
            BOOST_TEST(a.diag->aws_code == e.name);
            BOOST_TEST(a.diag->http_status == e.http_status);

            http::response body_only;
            body_only.status = e.http_status;
            body_only.body = R"({"Code":")" + std::string(e.name) + R"(","Message":"went wrong"})";
            const error b = http::service_error(body_only);
            BOOST_TEST((b.code == make_error_code(e.code)));
            BOOST_TEST(b.diag->aws_code == e.name);
            BOOST_TEST(b.message().ends_with("): went wrong"));
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(declared_errors)

BOOST_AUTO_TEST_CASE(chime) { check("chime", classic::model_errors); }
BOOST_AUTO_TEST_CASE(chime_sdk_messaging) { check("chime-sdk-messaging", messaging::model_errors); }
BOOST_AUTO_TEST_CASE(chime_sdk_identity) { check("chime-sdk-identity", identity::model_errors); }
BOOST_AUTO_TEST_CASE(chime_sdk_meetings) { check("chime-sdk-meetings", meetings::model_errors); }

BOOST_AUTO_TEST_SUITE_END()
