// Standard-mode retries through a generated client against chime-local's fault injection: a throttle
// then success, a 503 outage exhausting the attempts, a 400 tried once, and the quota making an outage's
// errors immediate instead of multiplying the load.

#include "local/local_support.hpp"

#include <chime/identity/client.hpp>

#include <boost/test/unit_test.hpp>

namespace asio = boost::asio;
namespace id = chime::identity;
using namespace std::chrono_literals;
using chime::test::run;

namespace {

chime::client_config with_retries(const chime::test::local_emulator& local, chime::retry_options o,
                                  std::vector<chime::call_metrics>* seen) {
    auto cfg = local.config();
    cfg.transport.retry = o;
    cfg.transport.on_metrics = [seen](const chime::call_metrics& m) { seen->push_back(m); };
    return cfg;
}

double count(const chime::local::server& s, const char* op, const char* status) {
    const auto stats = s.stats();
    const auto* by = stats.at("by_operation").as_object().if_contains(op);
    const auto* n = by ? by->as_object().if_contains(status) : nullptr;
    return n ? n->to_number<double>() : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(retries_against_chime_local)

BOOST_AUTO_TEST_CASE(a_throttle_is_retried_until_the_rate_allows) {
    chime::local::server_options so;
    so.faults.per_operation["ListAppInstances"] = {.rate = 10, .burst = 1}; // one call per 100 ms
    chime::test::local_emulator local(so);
    std::vector<chime::call_metrics> seen;
    const auto cfg = with_retries(local, {.max_attempts = 6, .throttling_base = 100ms}, &seen);
    run([&]() -> asio::awaitable<void> {
        id::client ids(co_await asio::this_coro::executor, cfg);
        for (int i = 0; i < 2; ++i) {
            id::list_app_instances_request r;
            const auto listed = co_await ids.list_app_instances(std::move(r), chime::no_throw);
            BOOST_TEST(listed.has_value(), (listed ? "" : listed.error().message()));
        }
    }());
    BOOST_REQUIRE_EQUAL(seen.size(), 2u);
    BOOST_TEST(seen[0].attempts == 1);
    BOOST_TEST(seen[1].attempts >= 2); // the second call met the limit, waited and got through
    BOOST_TEST(count(local.server, "ListAppInstances", "429") == double(seen[1].attempts - 1));
    BOOST_TEST(count(local.server, "ListAppInstances", "200") == 2.0);
}

BOOST_AUTO_TEST_CASE(an_outage_uses_up_the_attempts_and_a_400_is_tried_once) {
    chime::local::server_options so;
    so.faults.error_503 = 1.0;
    chime::test::local_emulator local(so);
    std::vector<chime::call_metrics> seen;
    const auto cfg = with_retries(local, {}, &seen); // the defaults: 3 attempts, 50 ms base
    run([&]() -> asio::awaitable<void> {
        id::client ids(co_await asio::this_coro::executor, cfg);
        id::list_app_instances_request r;
        const auto failed = co_await ids.list_app_instances(std::move(r), chime::no_throw);
        BOOST_REQUIRE(!failed);
        BOOST_TEST((failed.error().code == chime::aws_errc::service_unavailable));
        BOOST_TEST(failed.error().diag->attempts == 3);
        BOOST_TEST(failed.error().message().find("after 3 attempts; attempts used up") != std::string::npos);

        local.server.set_faults({});
        id::describe_app_instance_request missing{.app_instance_arn = "arn:aws:chime:us-east-1:123456789012:app-instance/none"};
        const auto absent = co_await ids.describe_app_instance(std::move(missing), chime::no_throw);
        BOOST_REQUIRE(!absent);
        BOOST_TEST((absent.error().code == chime::aws_errc::not_found));
    }());
    BOOST_TEST(count(local.server, "ListAppInstances", "503") == 3.0);
    BOOST_TEST(count(local.server, "DescribeAppInstance", "404") == 1.0); // final: no retry
}

BOOST_AUTO_TEST_CASE(an_empty_quota_returns_errors_at_once) {
    chime::local::server_options so;
    so.faults.error_500 = 1.0;
    chime::test::local_emulator local(so);
    std::vector<chime::call_metrics> seen;
    const auto cfg = with_retries(local, {.quota_capacity = 30}, &seen); // room for two transient retries
    run([&]() -> asio::awaitable<void> {
        id::client ids(co_await asio::this_coro::executor, cfg);
        for (int i = 0; i < 4; ++i) {
            id::list_app_instances_request r;
            BOOST_TEST(!(co_await ids.list_app_instances(std::move(r), chime::no_throw)));
        }
    }());
    BOOST_REQUIRE_EQUAL(seen.size(), 4u);
    BOOST_TEST(seen[0].attempts == 3); // 30 - 14 - 14 = 2 tokens left
    BOOST_TEST(seen[1].attempts == 1);
    BOOST_TEST(seen[3].attempts == 1);
    BOOST_TEST(count(local.server, "ListAppInstances", "500") == 6.0); // not 12
}

BOOST_AUTO_TEST_SUITE_END()
