// The standard retry mode's decisions without sockets or clocks: classification, backoff bounds with a
// fixed random source, Retry-After parsing and clamping, the quota's arithmetic, and a call's decisions.

#include <chime/retry.hpp>

#include "retry/adaptive_rate.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

using namespace chime;
using chime::detail::adaptive_rate;
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
    // Hostile values neither overflow (UBSan checks) nor mean anything beyond a day; the wait is clamped.
    BOOST_TEST(retry_after_hint(with_header("Retry-After", "9223372036854775807"), now)->count() == 86'400'000);
    BOOST_TEST(!retry_after_hint(with_header("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"), now));

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

// ---- adaptive mode: the CUBIC limiter as a pure state machine (times in seconds) --------------------

namespace {

// Successful responses at `rate` per second from `from` until `to`: keeps the measured rate at `rate`.
void steady_traffic(adaptive_rate& a, double rate, double from, double to) {
    for (double t = from; t < to; t += 1 / rate)
        a.on_response(t, t, false);
}

} // namespace

BOOST_AUTO_TEST_SUITE(adaptive_mode)

BOOST_AUTO_TEST_CASE(free_until_the_first_throttle) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2);
    BOOST_TEST(!a.enabled());
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST(a.try_acquire(2) == 0.0); // no limit at all
    BOOST_TEST(a.measured_rate() == 100.0, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(a_throttle_cuts_the_rate_by_beta_then_cubic_recovers_it) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2);
    a.on_response(2.0, 2.0, true);
    BOOST_TEST(a.enabled());
    const double w = a.last_max_rate();
    BOOST_TEST(w == 100.0, boost::test_tools::tolerance(0.02));
    BOOST_TEST(a.fill_rate() == 0.7 * w, boost::test_tools::tolerance(1e-9));
    const double k = std::cbrt(w * 0.3 / 0.4); // when the curve is back at W_max
    // With traffic keeping the measured rate at W_max (so the 2x cap does not bind), the rate follows
    // C (t - K)^3 + W_max: concave below W_max, W_max at K, convex above.
    double previous = a.fill_rate();
    for (double t = 2.25; t < 2 + k + 2; t += 0.25) {
        steady_traffic(a, w, t - 0.25, t);
        a.on_response(t, t, false);
        const double dt = t - 2 - k;
        BOOST_TEST(a.fill_rate() == 0.4 * dt * dt * dt + w, boost::test_tools::tolerance(1e-6));
        BOOST_TEST(a.fill_rate() >= previous);
        previous = a.fill_rate();
    }
}

BOOST_AUTO_TEST_CASE(the_new_rate_is_at_most_twice_the_measured_and_at_least_half_a_call_per_second) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2);
    a.on_response(2.0, 2.0, true);
    // Then almost no traffic for a long time: the measured rate decays, and caps the recovery.
    a.on_response(30.0, 30.0, false);
    a.on_response(30.6, 30.6, false);
    BOOST_TEST(a.fill_rate() <= 2 * a.measured_rate() + 1e-9);
    // Throttled again and again: never below 0.5/s.
    for (double t = 31; t < 60; t += 1)
        a.on_response(t, t, true);
    BOOST_TEST(a.fill_rate() == 0.5);
    BOOST_TEST(a.capacity() == 1.0);
}

BOOST_AUTO_TEST_CASE(one_decrease_per_round_of_throttles) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2);
    a.on_response(2.0, 1.99, true);
    const double after_first = a.fill_rate();
    // Twenty more throttles answering attempts sent before that decrease: the same round.
    for (int i = 0; i < 20; ++i)
        a.on_response(2.001 + i * 0.001, 1.995, true);
    BOOST_TEST(a.fill_rate() == after_first);
    // A throttle of an attempt sent after the decrease is a new round.
    a.on_response(2.05, 2.03, true);
    BOOST_TEST(a.fill_rate() < after_first);
}

BOOST_AUTO_TEST_CASE(tokens_accumulate_at_the_fill_rate) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2);
    a.on_response(2.0, 2.0, true); // 70/s, no tokens yet
    const double rate = a.fill_rate();
    const double wait = a.try_acquire(2.0);
    BOOST_TEST(wait == 1 / rate, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(a.try_acquire(2.0 + wait) == 0.0); // one token after 1/rate
    BOOST_TEST(a.try_acquire(2.0 + wait) > 0.0);  // and only one
    BOOST_TEST(a.time_until(2.0 + wait, 7) == 7 / rate, boost::test_tools::tolerance(1e-6));
    // An idle scope holds at most the tokens of 50 ms (the SDKs: of a whole second).
    BOOST_TEST(a.capacity() == 0.05 * rate, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(a.time_until(1000, a.capacity()) == 0.0);
    BOOST_TEST(a.time_until(1000, a.capacity() + 1) > 0.0);
}

BOOST_AUTO_TEST_CASE(a_cut_starts_from_at_least_the_accepted_rate) {
    adaptive_rate a(0);
    steady_traffic(a, 100, 0, 2); // 100/s accepted
    a.on_response(2.0, 2.0, true);
    // The SDKs cut from min(measured, fill rate): a second round right away would cut 70 to 49, then 34...
    a.on_response(2.01, 2.005, true);
    a.on_response(2.02, 2.015, true);
    // ...but the service has been accepting about 100/s: every cut starts from there.
    BOOST_TEST(a.fill_rate() >= 0.7 * 0.9 * 100);
}

BOOST_AUTO_TEST_CASE(a_cut_after_a_quiet_spell_starts_from_the_rate_being_sent) {
    adaptive_rate a(0);
    steady_traffic(a, 400, 0, 2);
    a.on_response(2.0, 2.0, true); // enabled
    steady_traffic(a, 50, 2.0, 6.0); // a quiet spell: the smoothed send rate falls to 50/s
    const double fill = a.fill_rate();
    BOOST_TEST(fill > 80.0);
    // Then every caller at once: tokens are taken as fast as they accumulate, for half a second.
    double t = 6.0;
    while (t < 6.5)
        if (const double wait = a.try_acquire(t); wait > 0)
            t += wait;
    BOOST_TEST(a.recent_send_rate() == fill, boost::test_tools::tolerance(0.01));
    a.on_response(t, t - 0.01, true);
    // The SDKs cut from min(measured, fill rate): 50/s, a plateau at a quarter of what was being sent.
    BOOST_TEST(a.measured_rate() < 0.7 * fill);
    BOOST_TEST(a.last_max_rate() == fill, boost::test_tools::tolerance(0.01));
    BOOST_TEST(a.fill_rate() == 0.7 * fill, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(the_first_measurement_covers_the_time_since_the_first_response) {
    adaptive_rate a(0.49); // made just before a bucket boundary
    for (int i = 0; i < 20; ++i) // 20 responses in 10 ms, the last one past the boundary
        a.on_response(0.491 + i * 0.0005, 0.49, false);
    a.on_response(0.6, 0.59, true);
    // The bucket that ends at 0.5 s holds 19 responses from 9 ms, read over at least 50 ms: 380/s, not
    // 38/s over the whole bucket, nor zero (the SDKs' first throttle then cuts to the 0.5/s floor).
    BOOST_TEST(a.last_max_rate() > 150.0);
}

BOOST_AUTO_TEST_SUITE_END()
