// Standard-mode retries through a generated client against chime-local's fault injection: a throttle
// then success, a 503 outage exhausting the attempts, a 400 tried once, and the quota making an outage's
// errors immediate instead of multiplying the load.

#include "local/local_support.hpp"

#include <chime/identity/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>

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

BOOST_AUTO_TEST_CASE(attempts_and_mode_come_from_the_client_config_and_the_environment) {
    chime::local::server_options so;
    so.faults.error_503 = 1.0;
    chime::test::local_emulator local(so);
    std::vector<chime::call_metrics> seen;
    auto cfg = with_retries(local, {.transient_base = 1ms}, &seen);
    cfg.max_attempts = 2; // explicit: wins over everything
    auto from_env = with_retries(local, {.transient_base = 1ms}, &seen);
    ::setenv("AWS_MAX_ATTEMPTS", "4", 1);
    ::setenv("AWS_RETRY_MODE", "adaptive", 1);
    std::vector<chime::rate_limit_info> scopes;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client explicit_client(ex, cfg);
        id::client env_client(ex, from_env);
        id::list_app_instances_request a, b;
        co_await explicit_client.list_app_instances(std::move(a), chime::no_throw);
        co_await env_client.list_app_instances(std::move(b), chime::no_throw);
        scopes = env_client.core().transport().rate_limits();
    }());
    ::unsetenv("AWS_MAX_ATTEMPTS");
    ::unsetenv("AWS_RETRY_MODE");
    BOOST_REQUIRE_EQUAL(seen.size(), 2u);
    BOOST_TEST(seen[0].attempts == 2);
    BOOST_TEST(seen[1].attempts == 4);
    BOOST_TEST(scopes.size() == 1u); // adaptive mode: the call went through a throttle scope
}

// ---- adaptive mode ----------------------------------------------------------------------------------

namespace {

struct adaptive_run {
    std::atomic<int> ok{0}, failed{0};
    std::string first_error;
};

asio::awaitable<void> list_worker(id::client c, int calls, adaptive_run* out) {
    for (int i = 0; i < calls; ++i) {
        id::list_app_instances_request r;
        const auto listed = co_await c.list_app_instances(std::move(r), chime::no_throw);
        if (listed)
            ++out->ok;
        else if (out->failed++ == 0)
            out->first_error = listed.error().message();
    }
}

asio::awaitable<void> describe_worker(id::client c, std::string arn, int calls, adaptive_run* out) {
    for (int i = 0; i < calls; ++i) {
        id::describe_app_instance_request r{.app_instance_arn = arn};
        const auto described = co_await c.describe_app_instance(std::move(r), chime::no_throw);
        if (described)
            ++out->ok;
        else
            ++out->failed;
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(adaptive_mode_paces_a_throttled_operation_and_leaves_others_alone) {
    chime::local::server_options so;
    so.faults.per_operation["ListAppInstances"] = {.rate = 100, .burst = 10};
    chime::test::local_emulator local(so);
    std::vector<chime::call_metrics> seen;
    auto cfg = with_retries(local, {.mode = chime::retry_mode::adaptive, .max_attempts = 5}, &seen);
    adaptive_run lists, describes;
    std::vector<chime::rate_limit_info> scopes;
    run([&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        id::client ids(ex, cfg);
        id::create_app_instance_request ai{.name = "adaptive"};
        const std::string arn = *(co_await ids.create_app_instance(std::move(ai))).app_instance_arn;
        for (int w = 0; w < 20; ++w) // 200 calls against 100/s
            asio::co_spawn(ex, list_worker(ids, 10, &lists), asio::detached);
        for (int w = 0; w < 2; ++w)
            asio::co_spawn(ex, describe_worker(ids, arn, 20, &describes), asio::detached);
        asio::steady_timer poll(ex);
        while (lists.ok + lists.failed < 200 || describes.ok + describes.failed < 40) {
            poll.expires_after(10ms);
            co_await poll.async_wait(asio::use_awaitable);
        }
        scopes = ids.core().transport().rate_limits();
    }());
    BOOST_TEST(lists.ok == 200, lists.first_error);
    BOOST_TEST(describes.ok == 40);
    // One throttle scope per (endpoint, operation): only ListAppInstances' limiter is engaged.
    BOOST_REQUIRE_EQUAL(scopes.size(), 3u); // CreateAppInstance, DescribeAppInstance, ListAppInstances
    for (const auto& s : scopes) {
        BOOST_TEST_CONTEXT(s.scope) {
            const bool listing = s.scope.ends_with(" ListAppInstances");
            BOOST_TEST(s.enabled == listing);
            if (listing) {
                BOOST_TEST(s.throttles > 0u);
                BOOST_TEST(s.fill_rate < 400.0); // paced near the service's 100/s, not left unbounded
            }
        }
    }
    // DescribeAppInstance's limiter never engaged (above), so its calls never queued for a token. (Not
    // asserted through their send_wait: a wall-clock bound fails under ASan on a busy machine.)
    int throttled = 0;
    for (const auto& m : seen) {
        if (m.operation == "DescribeAppInstance")
            BOOST_TEST(m.throttles == 0);
        throttled += m.throttles;
    }
    const double served_429 = count(local.server, "ListAppInstances", "429");
    BOOST_TEST(throttled == int(served_429));
    BOOST_TEST_MESSAGE("adaptive: 200 calls at 100/s, " << served_429 << " throttled attempts");
    BOOST_TEST(served_429 < 100.0); // paced: far fewer throttles than calls
}

BOOST_AUTO_TEST_CASE(a_key_function_chooses_the_throttle_scope) {
    chime::test::local_emulator local;
    std::vector<chime::call_metrics> seen;
    std::vector<std::string> asked;
    chime::retry_options o{.mode = chime::retry_mode::adaptive};
    // One scope per tenant, here read from a header the caller sets: every operation shares it.
    o.scope_key = [&asked](std::string_view origin, std::string_view operation, const chime::http::request& req) {
        asked.push_back(std::string(operation));
        BOOST_TEST(origin.starts_with("https://127.0.0.1:"));
        return "tenant " + std::string(req.header_value("Host").empty() ? "?" : "a");
    };
    const auto cfg = with_retries(local, o, &seen);
    std::vector<chime::rate_limit_info> scopes;
    run([&]() -> asio::awaitable<void> {
        id::client ids(co_await asio::this_coro::executor, cfg);
        id::list_app_instances_request a;
        co_await ids.list_app_instances(std::move(a));
        id::create_app_instance_request ai{.name = "scoped"};
        co_await ids.create_app_instance(std::move(ai));
        scopes = ids.core().transport().rate_limits();
    }());
    const std::vector<std::string> expected{"ListAppInstances", "CreateAppInstance"};
    BOOST_TEST(asked == expected, boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(scopes.size(), 1u);
    BOOST_TEST(scopes[0].scope == "tenant a");
}

BOOST_AUTO_TEST_SUITE_END()
