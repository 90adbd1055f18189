#pragma once
/// @file
/// Configuration resolved the way the AWS CLI resolves it: explicit values, then environment
/// variables, then the selected profile of the shared config and credentials files.
///
/// | setting       | explicit        | environment                                         | profile key |
/// |---------------|-----------------|-----------------------------------------------------|-------------|
/// | profile       | `profile`       | `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`                 | (`default`) |
/// | region        | `region`        | `AWS_REGION`, `AWS_DEFAULT_REGION`                   | `region`    |
/// | endpoint      | `endpoint_url`  | `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`  | `services`
/// section's `endpoint_url`, then `endpoint_url` | | max attempts  | `max_attempts`  | `AWS_MAX_ATTEMPTS` |
/// `max_attempts` | | retry mode    | `retry_mode`    | `AWS_RETRY_MODE` | `retry_mode` | | CA bundle     |
/// `ca_bundle`     | `AWS_CA_BUNDLE`                                      | `ca_bundle` |
///
/// Files: `AWS_CONFIG_FILE` (default `~/.aws/config`, sections `[default]` and `[profile NAME]`) and
/// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`, sections `[NAME]`); a key in the
/// credentials file overrides the same key of the same profile in the config file.
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile key `ignore_configured_endpoint_urls`)
/// makes only an explicit endpoint count.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chime {

/// Where environment variables come from: the process environment by default, a map in tests.
class environment {
public:
    using lookup_fn = std::function<std::optional<std::string>(std::string_view)>;

    /// The process environment (`getenv`).
    environment();
    explicit environment(lookup_fn fn)
        : fn_(std::move(fn)) {}
    static environment from_map(std::map<std::string, std::string, std::less<>> vars);

    /// The variable's value; a variable set to the empty string counts as unset, as in the AWS CLI.
    std::optional<std::string> get(std::string_view name) const;

private:
    lookup_fn fn_;
};

enum class retry_mode { legacy, standard, adaptive };

std::string_view to_string(retry_mode m) noexcept;

/// A resolved value and where it came from, e.g. "AWS_REGION" or "profile dev in /root/.aws/config".
template <class T>
struct setting {
    T value;
    std::string source;
};

/// Values given in code or on a command line; they win over everything else.
struct config_overrides {
    std::optional<std::string> profile;
    std::optional<std::string> region;
    std::optional<std::string> endpoint_url;
    std::optional<int> max_attempts;
    std::optional<chime::retry_mode> retry_mode;
    std::optional<std::string> ca_bundle;
};

/// The configuration of one service client.
struct aws_config {
    std::string service_id; ///< the model's serviceId, e.g. "Chime SDK Messaging"
    setting<std::string> profile{"default", "default"};
    bool profile_explicit = false; ///< chosen in code or with --profile: then environment keys are not used
    std::filesystem::path config_file;      ///< empty when HOME is unset and AWS_CONFIG_FILE too
    std::filesystem::path credentials_file; ///< likewise
    std::optional<setting<std::string>> region;
    std::optional<setting<std::string>> endpoint_url;
    std::optional<setting<int>> max_attempts;
    std::optional<setting<chime::retry_mode>> retry_mode;
    std::optional<setting<std::string>> ca_bundle;
    /// Every key of the selected profile (credentials file over config file), secrets included:
    /// for credential sources only, never print it.
    std::map<std::string, std::string, std::less<>> profile_values;
};

/// `AWS_ENDPOINT_URL_` + the service id uppercased with spaces and dashes as `_`
/// ("Chime SDK Messaging" gives `AWS_ENDPOINT_URL_CHIME_SDK_MESSAGING`).
std::string endpoint_env_var(std::string_view service_id);

/// The key of a service in a `[services NAME]` section: lowercase, spaces and dashes as `_`.
std::string services_section_key(std::string_view service_id);

/// Resolves the configuration of the service with model serviceId `service_id`.
/// @throws chime::exception with errc::invalid_config_file (naming file and line),
///         errc::profile_not_found for an explicitly chosen profile that exists nowhere, and
///         errc::invalid_config_value (naming the variable or file) for an unusable value.
aws_config load_config(std::string_view service_id, const config_overrides& overrides = {},
                       const environment& env = {});

} // namespace chime
