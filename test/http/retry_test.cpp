// The standard retry mode's decisions without sockets or clocks: classification, backoff bounds with a
// fixed random source, Retry-After parsing and clamping, the quota's arithmetic, and a call's decisions.

#include <chime/retry.hpp>

#include <boost/test/unit_test.hpp>

using namespace chime;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

namespace {

error service(unsigned status, std::string name) {
    http::response r;
    r.status = status;
    r.headers = {{"x-amzn-ErrorType", name + ":"}};
    r.body = R"({"Message":"m"})";
    return http::service_error(r);
}

http::response with_header(std::string name, std::string value) {
    http::response r;
    r.status = 429;
    r.headers = {{std::move(name), std::move(value)}};
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(retry_standard_mode)

BOOST_AUTO_TEST_CASE(classification_status_first_then_name) {
    BOOST_TEST((classify(service(429, "ThrottledClientException")) == retry_class::throttling));
    BOOST_TEST((classify(service(429, "Whatever")) == retry_class::throttling)); // a bare 429
    BOOST_TEST((classify(service(400, "ThrottlingException")) == retry_class::throttling));
    BOOST_TEST((classify(service(400, "SlowDown")) == retry_class::throttling));
    for (unsigned s : {500u, 502u, 503u, 504u})
        BOOST_TEST((classify(service(s, "")) == retry_class::transient));
    BOOST_TEST((classify(service(503, "ServiceUnavailableException")) == retry_class::transient));
    BOOST_TEST((classify(service(501, "")) == retry_class::final));
    BOOST_TEST((classify(service(400, "BadRequestException")) == retry_class::final));
    BOOST_TEST((classify(service(403, "ForbiddenException")) == retry_class::final));
    for (errc e : {errc::connect_failed, errc::connection_reset, errc::request_timeout, errc::connect_timeout})
        BOOST_TEST((classify(error(make_error_code(e), "x")) == retry_class::transient));
    for (errc e : {errc::tls_verify_failed, errc::cancelled, errc::invalid_request, errc::no_credentials})
        BOOST_TEST((classify(error(make_error_code(e), "x")) == retry_class::final));
}

BOOST_AUTO_TEST_CASE(backoff_is_full_jitter_under_a_doubling_capped_ceiling) {
    const retry_options o;
    // rand -> 1: the ceilings themselves (botocore's worked example with the 2026 numbers).
    const double almost_one = 0.999999;
    const ms expected[] = {50ms, 100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 6400ms, 12800ms, 20000ms, 20000ms};
    for (int i = 0; i < 11; ++i)
        BOOST_TEST(backoff(o, retry_class::transient, i, almost_one).count() == expected[i].count() - 1, "retry " << i);
    BOOST_TEST(backoff(o, retry_class::transient, 0, 0.0).count() == 0);
    BOOST_TEST(backoff(o, retry_class::transient, 3, 0.5).count() == 200);
    BOOST_TEST(backoff(o, retry_class::throttling, 0, 0.5).count() == 500);
    BOOST_TEST(backoff(o, retry_class::throttling, 5, 0.5).count() == 10000); // 32 s capped to 20 s, halved
    BOOST_TEST(backoff(o, retry_class::throttling, 500, 0.5).count() == 10000); // no overflow
}

BOOST_AUTO_TEST_CASE(retry_after_hints_parse_and_clamp) {
    const auto now = std::chrono::system_clock::from_time_t(784111777); // Sun, 06 Nov 1994 08:49:37 GMT
    BOOST_TEST(retry_after_hint(with_header("x-amz-retry-after", "1500"), now)->count() == 1500);
    BOOST_TEST(retry_after_hint(with_header("Retry-After", "3"), now)->count() == 3000);
    BOOST_TEST(retry_after_hint(with_header("Retry-After", "Sun, 06 Nov 1994 08:49:39 GMT"), now)->count() == 2000);
    BOOST_TEST(!retry_after_hint(with_header("Retry-After", "Sun, 06 Nov 1994 08:49:30 GMT"), now)); // past
    BOOST_TEST(!retry_after_hint(with_header("x-amz-retry-after", "-5"), now));
    BOOST_TEST(!retry_after_hint(with_header("x-amz-retry-after", "soon"), now));
    BOOST_TEST(!retry_after_hint(with_header("Other", "1"), now));

    BOOST_TEST(with_hint(100ms, std::nullopt, 5s).count() == 100);
    BOOST_TEST(with_hint(100ms, 50ms, 5s).count() == 100);    // never shorter than the backoff
    BOOST_TEST(with_hint(100ms, 2000ms, 5s).count() == 2000); // honoured
    BOOST_TEST(with_hint(100ms, 60s, 5s).count() == 5100);    // at most 5 s longer
}

BOOST_AUTO_TEST_CASE(quota_drains_refunds_and_empties) {
    retry_quota q(500);
    for (int i = 0; i < 35; ++i)
        BOOST_TEST(q.try_acquire(14));
    BOOST_TEST(q.available() == 10);
    BOOST_TEST(!q.try_acquire(14)); // a transient retry no longer fits
    BOOST_TEST(q.try_acquire(5));   // a throttling retry still does
    q.release(1000);
    BOOST_TEST(q.available() == 500); // never above capacity
}

BOOST_AUTO_TEST_CASE(a_calls_decisions) {
    const retry_options o;
    retry_quota q(o.quota_capacity);
    {
        retry_state s(o, q); // throttled, then succeeds: one retry at the throttling cost, refunded
        const auto d = s.after_failure(service(429, "ThrottledClientException"), std::nullopt, 0.5);
        BOOST_REQUIRE(d);
        BOOST_TEST(d->count() == 500);
        BOOST_TEST(q.available() == 495);
        s.after_success();
        BOOST_TEST(q.available() == 500);
        BOOST_TEST(s.attempts() == 2);
        BOOST_TEST(s.throttles() == 1);
    }
    {
        retry_state s(o, q); // 503 three times: two retries, then the attempts are used up
        BOOST_TEST(s.after_failure(service(503, ""), std::nullopt, 0.0).has_value());
        BOOST_TEST(s.after_failure(service(503, ""), std::nullopt, 0.0).has_value());
        BOOST_TEST(!s.after_failure(service(503, ""), std::nullopt, 0.0).has_value());
        BOOST_TEST(std::string(s.stop_reason()) == "attempts used up");
        BOOST_TEST(q.available() == 500 - 28); // failures refund nothing
    }
    {
        retry_state s(o, q); // a 400 is tried once
        BOOST_TEST(!s.after_failure(service(400, "BadRequestException"), std::nullopt, 0.5).has_value());
        BOOST_TEST(std::string(s.stop_reason()) == "final error");
    }
    {
        retry_quota empty(10);
        retry_state s(o, empty); // an outage drained the quota: the error comes back at once
        BOOST_TEST(!s.after_failure(service(500, ""), std::nullopt, 0.5).has_value());
        BOOST_TEST(std::string(s.stop_reason()) == "retry quota empty");
    }
    {
        retry_state s(o, q); // success at once refunds one token
        const int before = q.available();
        s.after_success();
        BOOST_TEST(q.available() == before + 1);
    }
}

BOOST_AUTO_TEST_SUITE_END()
