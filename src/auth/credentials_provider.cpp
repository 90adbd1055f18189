#include "config/ini_file.hpp"
#include "util/iso8601.hpp"

#include <chime/auth/credentials_provider.hpp>
#include <chime/error.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>

namespace chime::auth {
namespace asio = boost::asio;

namespace {

// botocore's order: assume-role, web identity and SSO come before the shared credentials file, and
// credential_process before the config file. This library implements none of them yet, so a profile
// that asks for one gets a clear error rather than credentials from a later source it did not mean.
constexpr const char* early_mechanisms[] = {"role_arn", "web_identity_token_file", "sso_session",
                                            "sso_start_url"};
constexpr const char* process_mechanisms[] = {"credential_process"};

class environment_source final : public credentials_source {
public:
    explicit environment_source(environment env)
        : env_(std::move(env)) {}

    asio::awaitable<source_result> load() override {
        auto key = env_.get("AWS_ACCESS_KEY_ID");
        auto secret = env_.get("AWS_SECRET_ACCESS_KEY");
        if (!key && !secret)
            co_return source_result{nullptr, "environment (AWS_ACCESS_KEY_ID not set)"};
        if (!key || !secret)
            throw exception(errc::partial_credentials,
                            std::string("environment: ") +
                                (key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is set but " +
                                (key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not");
        credentials c{*key, *secret, {}, {}, "environment"};
        if (auto token = env_.get("AWS_SESSION_TOKEN"))
            c.session_token = *token;
        else if (auto legacy = env_.get("AWS_SECURITY_TOKEN"))
            c.session_token = *legacy;
        if (auto exp = env_.get("AWS_CREDENTIAL_EXPIRATION")) {
            c.expiration = detail::parse_iso8601(*exp);
            if (!c.expiration)
                throw exception(errc::invalid_config_value,
                                "AWS_CREDENTIAL_EXPIRATION: invalid value '" + *exp +
                                    "'; expected an ISO-8601 time such as 2026-11-22T10:00:00Z");
        }
        co_return source_result{std::make_shared<const credentials>(std::move(c)), "environment"};
    }

private:
    environment env_;
};

class shared_file_source final : public credentials_source {
public:
    shared_file_source(std::filesystem::path file, std::string profile, bool config_format)
        : file_(std::move(file))
        , profile_(std::move(profile))
        , config_format_(config_format) {}

    asio::awaitable<source_result> load() override {
        const std::string where =
            std::string(config_format_ ? "shared config file " : "shared credentials file ") +
            file_.string() + " (profile " + profile_;
        auto file = detail::read_ini_file(file_);
        if (!file)
            co_return source_result{nullptr, where + ": no such file)"};
        auto values = detail::profile_values(*file, profile_, config_format_);
        if (!values)
            co_return source_result{nullptr, where + ": no such profile)"};
        auto get = [&](const char* k) -> const std::string* {
            auto it = values->find(k);
            return it == values->end() || it->second.empty() ? nullptr : &it->second;
        };
        const std::string* key = get("aws_access_key_id");
        const std::string* secret = get("aws_secret_access_key");
        if (!key && !secret)
            co_return source_result{nullptr, where + ": no aws_access_key_id)"};
        if (!key || !secret)
            throw exception(errc::partial_credentials,
                            file_.string() + ": profile " + profile_ + " has " +
                                (key ? "aws_access_key_id but no aws_secret_access_key"
                                     : "aws_secret_access_key but no aws_access_key_id"));
        credentials c{*key, *secret, {}, {}, where.substr(0, where.find(" (")) + " profile " + profile_};
        if (const std::string* token = get("aws_session_token"))
            c.session_token = *token;
        else if (const std::string* legacy = get("aws_security_token"))
            c.session_token = *legacy;
        co_return source_result{std::make_shared<const credentials>(std::move(c)), where + ")"};
    }

private:
    std::filesystem::path file_;
    std::string profile_;
    bool config_format_;
};

// Fails when the profile or environment asks for a mechanism this library does not implement.
class unsupported_mechanism_check final : public credentials_source {
public:
    unsupported_mechanism_check(std::vector<std::string> settings_found, std::string where)
        : found_(std::move(settings_found))
        , where_(std::move(where)) {}

    asio::awaitable<source_result> load() override {
        if (!found_.empty())
            throw exception(
                errc::unsupported_credential_source,
                where_ + " configures credentials through '" + found_.front() +
                    "', which chime-cpp does not support yet; use static keys, the environment, or "
                    "a credential provider of your own");
        co_return source_result{};
    }

private:
    std::vector<std::string> found_;
    std::string where_;
};

class static_provider final : public credentials_provider {
public:
    explicit static_provider(credentials c)
        : creds_(std::make_shared<const credentials>(std::move(c))) {}
    asio::awaitable<credentials_ptr> get() override { co_return creds_; }
    credentials_ptr try_get() noexcept override { return creds_; }

private:
    credentials_ptr creds_;
};

} // namespace

std::unique_ptr<credentials_source> make_environment_source(environment env) {
    return std::make_unique<environment_source>(std::move(env));
}

std::unique_ptr<credentials_source> make_shared_file_source(std::filesystem::path file, std::string profile,
                                                            bool config_format) {
    return std::make_unique<shared_file_source>(std::move(file), std::move(profile), config_format);
}

std::shared_ptr<credentials_provider> make_static_provider(credentials creds) {
    if (creds.access_key_id.empty() || creds.secret_access_key.empty())
        throw exception(errc::partial_credentials,
                        "static credentials need both an access key id and a secret key");
    if (creds.source.empty())
        creds.source = "static";
    return std::make_shared<static_provider>(std::move(creds));
}

// ---------------------------------------------------------------------------------------------
// chain_provider

struct chain_provider::state {
    // A parked get(). The handler keeps its own type so that completion can be posted to its concrete
    // associated executor (1.81's any_completion_executor cannot be posted to).
    struct waiter {
        virtual ~waiter() = default;
        virtual void complete(std::exception_ptr e, credentials_ptr c) = 0;
    };
    template <class Handler>
    struct waiter_impl final : waiter {
        explicit waiter_impl(Handler h)
            : handler(std::move(h)) {}
        void complete(std::exception_ptr e, credentials_ptr c) override {
            auto ex = asio::get_associated_executor(handler);
            asio::post(ex, asio::append(std::move(handler), e, std::move(c)));
        }
        Handler handler;
    };

    std::vector<std::unique_ptr<credentials_source>> sources;
    cache_options opts;

    std::mutex mutex;
    credentials_ptr cached;
    bool refreshing = false;
    std::vector<std::unique_ptr<waiter>> waiters;

    bool needs_refresh(const credentials_ptr& c, std::chrono::system_clock::time_point now) const {
        return !c || c->expires_before(now + opts.refresh_before);
    }
    bool usable(const credentials_ptr& c, std::chrono::system_clock::time_point now) const {
        return c && !c->expires_before(now + opts.min_validity);
    }

    // Called with the mutex released. Completes every waiter on its own executor.
    static void complete(std::vector<std::unique_ptr<waiter>> ws, std::exception_ptr e,
                         const credentials_ptr& c) {
        for (auto& w : ws)
            w->complete(e, c);
    }

    asio::awaitable<credentials_ptr> run_chain() {
        std::string looked;
        for (auto& source : sources) {
            source_result r = co_await source->load();
            if (r.credentials)
                co_return r.credentials;
            if (!r.looked_at.empty()) {
                if (!looked.empty())
                    looked += ", ";
                looked += r.looked_at;
            }
        }
        throw exception(errc::no_credentials, "no AWS credentials found; looked in: " + looked);
    }
};

chain_provider::chain_provider(std::vector<std::unique_ptr<credentials_source>> sources, cache_options opts)
    : state_(std::make_shared<state>()) {
    state_->sources = std::move(sources);
    state_->opts = std::move(opts);
}

chain_provider::~chain_provider() = default;

void chain_provider::invalidate() {
    std::lock_guard lock(state_->mutex);
    state_->cached.reset();
}

credentials_ptr chain_provider::try_get() noexcept {
    const auto now = state_->opts.clock();
    std::lock_guard lock(state_->mutex);
    if (!state_->needs_refresh(state_->cached, now))
        return state_->cached;
    if (state_->refreshing && state_->usable(state_->cached, now))
        return state_->cached; // as get() does while another caller refreshes
    return nullptr;
}

asio::awaitable<credentials_ptr> chain_provider::get() {
    auto st = state_; // keeps the state alive across suspension even if the provider is destroyed
    const auto now = st->opts.clock();
    bool wait = false;
    {
        std::lock_guard lock(st->mutex);
        if (!st->needs_refresh(st->cached, now))
            co_return st->cached;
        if (st->refreshing) {
            if (st->usable(st->cached, now))
                co_return st->cached; // another caller is refreshing; these are still good
            wait = true;
        } else {
            st->refreshing = true;
        }
    }

    if (wait) {
        // Named, not a temporary: g++ 12 destroys a capturing lambda temporary inside a co_await
        // expression twice (../shared/docs/retry-and-pool.md 4.2 item 6).
        auto park = [st](auto handler) {
            using impl = state::waiter_impl<std::decay_t<decltype(handler)>>;
            std::unique_lock lock(st->mutex);
            if (st->refreshing) {
                st->waiters.push_back(std::make_unique<impl>(std::move(handler)));
                return;
            }
            // The refresh finished between our check and now.
            credentials_ptr c = st->cached;
            lock.unlock();
            std::exception_ptr e;
            if (!c)
                e = std::make_exception_ptr(
                    exception(errc::no_credentials, "the credential refresh this call waited for failed"));
            impl(std::move(handler)).complete(e, std::move(c));
        };
        co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                                void(std::exception_ptr, credentials_ptr)>(
            std::move(park), asio::use_awaitable);
    }

    // If this coroutine is destroyed before the refresh finishes (its io_context torn down), later
    // callers must not wait for a refresh that will never complete: fail the waiters and reopen.
    struct abandon_guard {
        std::shared_ptr<state> st;
        bool finished = false;
        ~abandon_guard() {
            if (finished)
                return;
            std::vector<std::unique_ptr<state::waiter>> waiters;
            {
                std::lock_guard lock(st->mutex);
                st->refreshing = false;
                waiters.swap(st->waiters);
            }
            state::complete(std::move(waiters),
                            std::make_exception_ptr(exception(errc::no_credentials,
                                                              "the credential refresh was abandoned")),
                            nullptr);
        }
    } guard{st};

    std::exception_ptr error;
    credentials_ptr fresh;
    try {
        fresh = co_await st->run_chain();
        if (!st->usable(fresh, st->opts.clock()))
            throw exception(errc::credentials_expired,
                            "the credentials from " + fresh->source + " have expired or expire within " +
                                std::to_string(st->opts.min_validity.count()) + " s");
    } catch (...) {
        error = std::current_exception();
    }

    std::vector<std::unique_ptr<state::waiter>> waiters;
    credentials_ptr result;
    {
        std::lock_guard lock(st->mutex);
        st->refreshing = false;
        waiters.swap(st->waiters);
        if (!error)
            st->cached = fresh;
        // A failed refresh keeps credentials that are still valid.
        if (error && st->usable(st->cached, st->opts.clock()))
            error = nullptr;
        result = st->cached;
    }
    guard.finished = true;
    state::complete(std::move(waiters), error, error ? nullptr : result);
    if (error)
        std::rethrow_exception(error);
    co_return result;
}

std::shared_ptr<credentials_provider> make_default_provider(const aws_config& cfg, environment env,
                                                            cache_options opts) {
    std::vector<std::unique_ptr<credentials_source>> sources;
    if (!cfg.profile_explicit)
        sources.push_back(make_environment_source(env));

    auto mechanisms = [&](const auto& keys) {
        std::vector<std::string> found;
        for (const char* k : keys)
            if (cfg.profile_values.count(k))
                found.emplace_back(k);
        return found;
    };
    auto early = mechanisms(early_mechanisms);
    if (env.get("AWS_WEB_IDENTITY_TOKEN_FILE") && env.get("AWS_ROLE_ARN"))
        early.insert(early.begin(), "AWS_WEB_IDENTITY_TOKEN_FILE");
    sources.push_back(
        std::make_unique<unsupported_mechanism_check>(std::move(early), "profile " + cfg.profile.value));
    if (!cfg.credentials_file.empty())
        sources.push_back(make_shared_file_source(cfg.credentials_file, cfg.profile.value, false));
    sources.push_back(std::make_unique<unsupported_mechanism_check>(mechanisms(process_mechanisms),
                                                                    "profile " + cfg.profile.value));
    if (!cfg.config_file.empty())
        sources.push_back(make_shared_file_source(cfg.config_file, cfg.profile.value, true));

    // Not implemented yet: say so in the "no credentials" message instead of pretending to have looked.
    class not_implemented final : public credentials_source {
    public:
        explicit not_implemented(std::string why)
            : why_(std::move(why)) {}
        asio::awaitable<source_result> load() override { co_return source_result{nullptr, why_}; }

    private:
        std::string why_;
    };
    if (env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        sources.push_back(
            std::make_unique<not_implemented>("container credentials (AWS_CONTAINER_CREDENTIALS_* is set, "
                                              "but chime-cpp has no container provider yet)"));
    else
        sources.push_back(std::make_unique<not_implemented>(
            "instance metadata (not queried: chime-cpp has no IMDS provider yet)"));
    if (cfg.config_file.empty() && cfg.credentials_file.empty())
        sources.push_back(std::make_unique<not_implemented>("no shared files (HOME is not set)"));

    return std::make_shared<chain_provider>(std::move(sources), std::move(opts));
}

} // namespace chime::auth
