// Credential sources and the caching chain: every source the AWS CLI reads, with a scratch HOME;
// errors that list where we looked; redaction; refresh before expiry; one refresh at a time.

#include "support/aws_home.hpp"

#include <chime/auth/credentials_provider.hpp>
#include <chime/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <sstream>

using namespace chime;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using chime::test::run;

namespace {

constexpr const char* secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

struct home_fixture : chime::test::aws_home {
    auth::credentials_ptr get(const config_overrides& ov = {}) const {
        auto provider = auth::make_default_provider(load_config("Chime SDK Messaging", ov, env()), env());
        return run(provider->get());
    }
    std::pair<errc, std::string> error(const config_overrides& ov = {}) const {
        return chime::test::error_of([&] { get(ov); });
    }
};

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

// A source that counts its calls, optionally waits on a timer first, and returns what it is told to.
class scripted_source final : public auth::credentials_source {
public:
    std::atomic<int> calls{0};
    std::chrono::milliseconds delay{0};
    std::function<auth::credentials_ptr()> next;

    asio::awaitable<auth::source_result> load() override {
        ++calls;
        if (delay.count() > 0) {
            asio::steady_timer t(co_await asio::this_coro::executor, delay);
            co_await t.async_wait(asio::use_awaitable);
        }
        co_return auth::source_result{next(), "scripted"};
    }
};

auth::credentials_ptr creds_expiring_at(std::chrono::system_clock::time_point t,
                                        std::string key = "AKIDTEMP") {
    return std::make_shared<const auth::credentials>(auth::credentials{key, secret, token, t, "scripted"});
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(credentials_sources, home_fixture)

BOOST_AUTO_TEST_CASE(environment_variables) {
    vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    vars["AWS_SECRET_ACCESS_KEY"] = secret;
    auto c = get();
    BOOST_TEST(c->access_key_id == "AKIDENV");
    BOOST_TEST(c->secret_access_key == secret);
    BOOST_TEST(c->session_token.empty());
    BOOST_TEST(c->source == "environment");

    vars["AWS_SECURITY_TOKEN"] = "legacy";
    BOOST_TEST(get()->session_token == "legacy");
    vars["AWS_SESSION_TOKEN"] = token;
    BOOST_TEST(get()->session_token == token);

    vars["AWS_CREDENTIAL_EXPIRATION"] = "2099-01-02T03:04:05Z";
    BOOST_TEST(get()->expiration.has_value());
    vars["AWS_CREDENTIAL_EXPIRATION"] = "tomorrow";
    auto [code, msg] = error();
    BOOST_TEST((code == errc::invalid_config_value));
    BOOST_TEST(contains(msg, "AWS_CREDENTIAL_EXPIRATION: invalid value 'tomorrow'"));
    vars["AWS_CREDENTIAL_EXPIRATION"] = "2001-01-01T00:00:00Z";
    BOOST_TEST((error().first == errc::credentials_expired));
}

BOOST_AUTO_TEST_CASE(partial_environment) {
    vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    auto [code, msg] = error();
    BOOST_TEST((code == errc::partial_credentials));
    BOOST_TEST(msg == "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    vars.erase("AWS_ACCESS_KEY_ID");
    vars["AWS_SECRET_ACCESS_KEY"] = secret;
    std::tie(code, msg) = error();
    BOOST_TEST(msg == "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    BOOST_TEST(!contains(msg, secret));
}

BOOST_AUTO_TEST_CASE(shared_credentials_file) {
    credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " + std::string(secret) +
                "\naws_session_token = " + token +
                "\n[dev]\naws_access_key_id = AKIDDEV\n"
                "aws_secret_access_key = s2\n");
    auto c = get();
    BOOST_TEST(c->access_key_id == "AKIDFILE");
    BOOST_TEST(c->session_token == token);
    BOOST_TEST(c->source == "shared credentials file " + (home.path() / ".aws" / "credentials").string() +
                                " profile default");
    vars["AWS_PROFILE"] = "dev";
    BOOST_TEST(get()->access_key_id == "AKIDDEV");
}

BOOST_AUTO_TEST_CASE(shared_config_file) {
    config("[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n");
    BOOST_TEST(get({.profile = "dev"})->access_key_id == "AKIDCFG");
    // The credentials file comes first in the chain.
    credentials("[dev]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n");
    BOOST_TEST(get({.profile = "dev"})->access_key_id == "AKIDCRED");
}

BOOST_AUTO_TEST_CASE(environment_versus_profile) {
    credentials("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n");
    vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    vars["AWS_SECRET_ACCESS_KEY"] = "s";
    vars["AWS_PROFILE"] = "dev";
    BOOST_TEST(get()->access_key_id == "AKIDENV"); // AWS_PROFILE does not hide the environment
    BOOST_TEST(get({.profile = "dev"})->access_key_id == "AKIDDEV"); // an explicit profile does (botocore)
}

BOOST_AUTO_TEST_CASE(partial_file_credentials) {
    credentials("[default]\naws_access_key_id = AKIDFILE\n");
    auto [code, msg] = error();
    BOOST_TEST((code == errc::partial_credentials));
    BOOST_TEST(msg == (home.path() / ".aws" / "credentials").string() +
                          ": profile default has aws_access_key_id but no aws_secret_access_key");
}

BOOST_AUTO_TEST_CASE(nothing_found_lists_every_place) {
    config("[default]\nregion = us-east-1\n");
    auto [code, msg] = error();
    BOOST_TEST((code == errc::no_credentials));
    const std::string creds_path = (home.path() / ".aws" / "credentials").string();
    const std::string config_path = (home.path() / ".aws" / "config").string();
    BOOST_TEST(msg == "no AWS credentials found; looked in: environment (AWS_ACCESS_KEY_ID not set), "
                      "shared credentials file " +
                          creds_path +
                          " (profile default: no such file), "
                          "shared config file " +
                          config_path +
                          " (profile default: no aws_access_key_id), "
                          "instance metadata (not queried: chime-cpp has no IMDS provider yet)");

    vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
    BOOST_TEST(contains(error().second, "container credentials (AWS_CONTAINER_CREDENTIALS_* is set"));
    vars.erase("HOME");
    BOOST_TEST(contains(error().second, "no shared files (HOME is not set)"));
}

BOOST_AUTO_TEST_CASE(unsupported_mechanisms_are_reported) {
    config("[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n"
           "[profile proc]\ncredential_process = /bin/creds\n");
    credentials("[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n");
    auto [code, msg] = error({.profile = "role"});
    BOOST_TEST((code == errc::unsupported_credential_source));
    BOOST_TEST(contains(msg, "profile role configures credentials through 'role_arn'"));
    std::tie(code, msg) = error({.profile = "proc"});
    BOOST_TEST((code == errc::unsupported_credential_source));
    BOOST_TEST(contains(msg, "'credential_process'"));
    vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token";
    vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/r";
    BOOST_TEST(contains(error().second, "'AWS_WEB_IDENTITY_TOKEN_FILE'"));
}

BOOST_AUTO_TEST_CASE(malformed_credentials_file) {
    credentials("[default]\naws_access_key_id = AKID\n" + std::string(secret) + "\n");
    auto [code, msg] = error();
    BOOST_TEST((code == errc::invalid_config_file));
    BOOST_TEST(msg == (home.path() / ".aws" / "credentials").string() + ":3: expected 'key = value'");
}

BOOST_AUTO_TEST_CASE(secrets_never_printed) {
    const auth::credentials c{"AKIDPRINT", secret, token, {}, "environment"};
    std::ostringstream os;
    os << c;
    for (const std::string& s : {os.str(), auth::to_string(c)}) {
        BOOST_TEST(!contains(s, secret));
        BOOST_TEST(!contains(s, token));
        BOOST_TEST(contains(s, "AKIDPRINT"));
        BOOST_TEST(contains(s, "<redacted>"));
    }
}

BOOST_AUTO_TEST_CASE(static_provider) {
    auto p = auth::make_static_provider({"AKIDSTATIC", secret, "", {}, ""});
    BOOST_TEST(run(p->get())->source == "static");
    BOOST_TEST(p->try_get() == run(p->get())); // always at hand
    BOOST_CHECK_THROW(auth::make_static_provider({"AKID", "", "", {}, ""}), exception);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(credentials_cache)

BOOST_AUTO_TEST_CASE(caches_until_refresh_window) {
    auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(1000);
    auto src = std::make_unique<scripted_source>();
    scripted_source& s = *src;
    int generation = 0;
    s.next = [&] { return creds_expiring_at(now + 1h, "AKID" + std::to_string(++generation)); };
    std::vector<std::unique_ptr<auth::credentials_source>> sources;
    sources.push_back(std::move(src));
    auth::chain_provider p(std::move(sources),
                           {.refresh_before = 5min, .min_validity = 10s, .clock = [&] { return now; }});

    BOOST_TEST(!p.try_get()); // nothing cached yet: only get() can load
    BOOST_TEST(run(p.get())->access_key_id == "AKID1");
    BOOST_TEST(run(p.get())->access_key_id == "AKID1");
    BOOST_TEST(p.try_get()->access_key_id == "AKID1"); // cached and fresh: at once, without the sources
    BOOST_TEST(s.calls == 1);

    now += 56min; // inside the 5-minute refresh window
    BOOST_TEST(!p.try_get()); // due for a refresh: get()'s business
    BOOST_TEST(run(p.get())->access_key_id == "AKID2");
    BOOST_TEST(s.calls == 2);

    p.invalidate();
    BOOST_TEST(!p.try_get());
    BOOST_TEST(run(p.get())->access_key_id == "AKID3");
    BOOST_TEST(s.calls == 3);
}

BOOST_AUTO_TEST_CASE(failed_refresh_keeps_valid_credentials) {
    auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(1000);
    auto src = std::make_unique<scripted_source>();
    scripted_source& s = *src;
    const auto first_expiry = now + 1h;
    bool fail = false;
    s.next = [&]() -> auth::credentials_ptr {
        if (fail)
            throw exception(errc::no_credentials, "endpoint down");
        return creds_expiring_at(first_expiry);
    };
    std::vector<std::unique_ptr<auth::credentials_source>> sources;
    sources.push_back(std::move(src));
    auth::chain_provider p(std::move(sources), {.clock = [&] { return now; }});
    run(p.get());

    fail = true;
    now += 58min; // due for refresh, still valid
    BOOST_TEST((run(p.get())->expiration == first_expiry));
    now += 2min; // expired: the failure surfaces
    BOOST_CHECK_EXCEPTION(run(p.get()), exception,
                          [](const exception& e) { return std::string(e.what()) == "endpoint down"; });
}

BOOST_AUTO_TEST_CASE(one_refresh_for_many_concurrent_callers) {
    auto src = std::make_unique<scripted_source>();
    scripted_source& s = *src;
    s.delay = 50ms;
    s.next = [] { return creds_expiring_at(std::chrono::system_clock::now() + 1h); };
    std::vector<std::unique_ptr<auth::credentials_source>> sources;
    sources.push_back(std::move(src));
    auto p = std::make_shared<auth::chain_provider>(std::move(sources));

    // 64 callers on two threads, half of them on a strand of their own: every one must complete on
    // its own executor with the single refreshed result.
    asio::thread_pool pool(2);
    std::atomic<int> done{0}, wrong_executor{0};
    std::vector<auth::credentials_ptr> results(64);
    for (int i = 0; i < 64; ++i) {
        auto ex = i % 2 ? asio::any_io_executor(asio::make_strand(pool))
                        : asio::any_io_executor(pool.get_executor());
        asio::co_spawn(
            ex,
            [&, i, p]() -> asio::awaitable<void> {
                results[i] = co_await p->get();
                const auto my_ex = co_await asio::this_coro::executor;
                if (auto strand = my_ex.target<asio::strand<asio::thread_pool::executor_type>>())
                    if (!strand->running_in_this_thread())
                        ++wrong_executor;
                ++done;
            },
            asio::detached);
    }
    pool.join();
    BOOST_TEST(done == 64);
    BOOST_TEST(wrong_executor == 0);
    BOOST_TEST(s.calls == 1);
    for (const auto& r : results)
        BOOST_TEST((r == results[0]));
}

BOOST_AUTO_TEST_CASE(concurrent_callers_share_a_failure) {
    auto src = std::make_unique<scripted_source>();
    scripted_source& s = *src;
    s.delay = 20ms;
    s.next = []() -> auth::credentials_ptr { return nullptr; };
    std::vector<std::unique_ptr<auth::credentials_source>> sources;
    sources.push_back(std::move(src));
    auth::chain_provider p(std::move(sources));

    asio::io_context ioc;
    int failures = 0;
    for (int i = 0; i < 8; ++i)
        asio::co_spawn(ioc, p.get(), [&](std::exception_ptr e, auth::credentials_ptr) {
            try {
                if (e)
                    std::rethrow_exception(e);
            } catch (const exception& ex) {
                failures += ex.code() == errc::no_credentials;
            }
        });
    ioc.run();
    BOOST_TEST(failures == 8);
    BOOST_TEST(s.calls == 1);
}

BOOST_AUTO_TEST_CASE(abandoned_refresh_does_not_block_later_callers) {
    auto src = std::make_unique<scripted_source>();
    scripted_source& s = *src;
    s.delay = std::chrono::hours(1); // never finishes in the first io_context
    s.next = [] { return creds_expiring_at(std::chrono::system_clock::now() + 1h); };
    std::vector<std::unique_ptr<auth::credentials_source>> sources;
    sources.push_back(std::move(src));
    auth::chain_provider p(std::move(sources));
    {
        asio::io_context ioc;
        asio::co_spawn(ioc, p.get(), asio::detached);
        ioc.run_for(20ms); // the refresh is now parked on its hour-long timer
    }                      // ...and its coroutine is destroyed with the io_context
    s.delay = 0ms;
    BOOST_TEST(run(p.get())->access_key_id == "AKIDTEMP");
    BOOST_TEST(s.calls == 2);
}

BOOST_AUTO_TEST_SUITE_END()
