#pragma once
/// @file
/// Credential providers behind one asynchronous interface: `co_await provider.get()`.
///
/// The default chain looks where the AWS CLI looks, in order: the environment (skipped when the
/// profile was chosen explicitly), the shared credentials file, the shared config file. It caches
/// what it finds; credentials with an expiry are refreshed `refresh_before` ahead of it by one caller
/// while the others keep using the current ones, so that sources that fetch over the network
/// (container, instance metadata) can join the chain without changing callers.

#include <chime/auth/credentials.hpp>
#include <chime/config.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace chime::auth {

/// An immutable snapshot; cheap to copy and safe to share between threads.
using credentials_ptr = std::shared_ptr<const credentials>;

/// What clients sign with.
class credentials_provider {
public:
    virtual ~credentials_provider() = default;

    /// Completes with usable credentials on the awaiting coroutine's executor.
    /// @throws chime::exception: errc::no_credentials (the message lists every place looked in),
    ///         errc::partial_credentials, errc::unsupported_credential_source, errc::invalid_config_file,
    ///         errc::credentials_expired.
    /// Thread safety: may be awaited concurrently from any number of coroutines and threads.
    virtual boost::asio::awaitable<credentials_ptr> get() = 0;

    /// The credentials `get()` would complete with at once, without suspending (cached and fresh), or
    /// null when only `get()` can tell. The transport asks this first on every call, so a provider that
    /// caches spares each call a coroutine. The default is null. Never throws.
    virtual credentials_ptr try_get() noexcept { return nullptr; }
};

/// The outcome of asking one place for credentials.
struct source_result {
    credentials_ptr credentials; ///< null when this place has none
    std::string looked_at;       ///< what was checked, for the "no credentials" message
};

/// One place a chain looks in.
class credentials_source {
public:
    virtual ~credentials_source() = default;

    /// Null credentials when there are none here; throws when what is here is unusable
    /// (an access key id without a secret, a profile that needs an unsupported mechanism, ...).
    virtual boost::asio::awaitable<source_result> load() = 0;
};

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN) and
/// AWS_CREDENTIAL_EXPIRATION (ISO-8601).
std::unique_ptr<credentials_source> make_environment_source(environment env = {});

/// The `[profile]` section of a shared credentials file (`config_format` false) or of a shared
/// config file (`config_format` true, sections `[profile NAME]`).
std::unique_ptr<credentials_source> make_shared_file_source(std::filesystem::path file, std::string profile,
                                                            bool config_format);

/// How a caching provider decides that its credentials need refreshing.
struct cache_options {
    /// Refresh this long before expiry; meanwhile other callers keep the current credentials.
    std::chrono::seconds refresh_before{300};
    /// Credentials closer than this to expiry are not handed out at all.
    std::chrono::seconds min_validity{10};
    /// The clock; tests inject their own.
    std::function<std::chrono::system_clock::time_point()> clock = [] {
        return std::chrono::system_clock::now();
    };
};

/// Asks each source in turn, caches the first credentials found, and refreshes them before expiry.
/// Only one refresh runs at a time; concurrent callers wait for it (or use still-valid credentials).
class chain_provider final : public credentials_provider {
public:
    explicit chain_provider(std::vector<std::unique_ptr<credentials_source>> sources,
                            cache_options opts = {});
    ~chain_provider() override;

    boost::asio::awaitable<credentials_ptr> get() override;
    credentials_ptr try_get() noexcept override;

    /// Drops the cached credentials so that the next `get()` asks the sources again.
    void invalidate();

private:
    struct state;
    std::shared_ptr<state> state_;
};

/// Always the same credentials (they are checked for emptiness on construction).
std::shared_ptr<credentials_provider> make_static_provider(credentials creds);

/// The AWS CLI's chain for `cfg`: environment (unless the profile is explicit), shared credentials
/// file, shared config file. Container and instance-metadata sources are not implemented yet; when
/// their environment variables are set the "no credentials" message says so.
std::shared_ptr<credentials_provider> make_default_provider(const aws_config& cfg, environment env = {},
                                                            cache_options opts = {});

} // namespace chime::auth
