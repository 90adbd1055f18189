#include "config/ini_file.hpp"

#include <chime/config.hpp>
#include <chime/error.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace chime {
namespace {

std::string id_with_underscores(std::string_view service_id, bool upper) {
    std::string out;
    for (char c : service_id) {
        if (c == ' ' || c == '-')
            out += '_';
        else if (upper && c >= 'a' && c <= 'z')
            out += static_cast<char>(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            out += static_cast<char>(c - 'A' + 'a');
        else
            out += c;
    }
    return out;
}

std::filesystem::path expand_home(const std::string& p, const environment& env) {
    if (p == "~" || p.starts_with("~/")) {
        if (auto home = env.get("HOME"))
            return std::filesystem::path(*home + p.substr(1));
    }
    return p;
}

struct loaded_files {
    std::optional<detail::ini_file> config;
    std::optional<detail::ini_file> credentials;
};

// The profile's keys: config file first, then the credentials file's keys over them (botocore).
bool collect_profile(const loaded_files& files, const std::string& profile, detail::ini_map& out) {
    bool found = false;
    if (files.config) {
        if (auto values = detail::profile_values(*files.config, profile, true)) {
            out = std::move(*values);
            found = true;
        }
    }
    if (files.credentials) {
        if (auto values = detail::profile_values(*files.credentials, profile, false)) {
            for (auto& [k, v] : *values)
                out[k] = std::move(v);
            found = true;
        }
    }
    return found;
}

std::string profile_source(const aws_config& cfg) {
    return "profile " + cfg.profile.value + " in " +
           (cfg.config_file.empty() ? std::string("the shared config file") : cfg.config_file.string());
}

[[noreturn]] void bad_value(const std::string& source, std::string_view what, std::string_view value,
                            std::string_view expected) {
    throw exception(errc::invalid_config_value, std::string(source) + ": invalid " + std::string(what) +
                                                    " '" + std::string(value) + "'; expected " +
                                                    std::string(expected));
}

std::string validate_region(std::string value, const std::string& source) {
    const bool ok =
        !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
    if (!ok)
        bad_value(source, "region", value, "a region name such as us-east-1");
    return value;
}

std::string validate_endpoint(std::string value, const std::string& source) {
    auto url = boost::urls::parse_absolute_uri(value);
    const bool ok = url && (url->scheme() == "http" || url->scheme() == "https") && url->has_authority() &&
                    !url->host().empty() && !url->has_query() && !url->has_fragment();
    if (!ok)
        bad_value(source, "endpoint URL", value, "http://host[:port] or https://host[:port]");
    return value;
}

int parse_max_attempts(const std::string& value, const std::string& source) {
    int n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n < 1)
        bad_value(source, "max_attempts", value, "a whole number of at least 1");
    return n;
}

retry_mode parse_retry_mode(const std::string& value, const std::string& source) {
    if (value == "legacy")
        return retry_mode::legacy;
    if (value == "standard")
        return retry_mode::standard;
    if (value == "adaptive")
        return retry_mode::adaptive;
    bad_value(source, "retry_mode", value, "legacy, standard or adaptive");
}

bool parse_bool(const std::string& value, const std::string& source, std::string_view what) {
    std::string v = value;
    for (char& c : v)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "true")
        return true;
    if (v == "false")
        return false;
    bad_value(source, what, value, "true or false");
}

// A value from the environment (first variable set wins), else from the profile.
std::optional<setting<std::string>> lookup(const environment& env, std::initializer_list<const char*> vars,
                                           const aws_config& cfg, std::string_view profile_key) {
    for (const char* var : vars)
        if (auto v = env.get(var))
            return setting<std::string>{*v, var};
    if (auto it = cfg.profile_values.find(profile_key); it != cfg.profile_values.end() && !it->second.empty())
        return setting<std::string>{it->second, profile_source(cfg)};
    return std::nullopt;
}

std::optional<setting<std::string>> resolve_endpoint(const config_overrides& ov, const environment& env,
                                                     const aws_config& cfg, const loaded_files& files) {
    if (ov.endpoint_url)
        return setting<std::string>{validate_endpoint(*ov.endpoint_url, "explicit endpoint_url"),
                                    "explicit endpoint_url"};
    if (auto v = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        v && parse_bool(*v, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "flag"))
        return std::nullopt;
    if (auto it = cfg.profile_values.find("ignore_configured_endpoint_urls");
        it != cfg.profile_values.end() &&
        parse_bool(it->second, profile_source(cfg), "ignore_configured_endpoint_urls"))
        return std::nullopt;

    const std::string service_var = endpoint_env_var(cfg.service_id);
    for (const std::string& var : {service_var, std::string("AWS_ENDPOINT_URL")})
        if (auto v = env.get(var))
            return setting<std::string>{validate_endpoint(*v, var), var};

    if (auto it = cfg.profile_values.find("services"); it != cfg.profile_values.end() && files.config) {
        const std::string section_name = "services " + it->second;
        const detail::ini_section* services = files.config->find(section_name);
        if (!services)
            throw exception(errc::invalid_config_value, profile_source(cfg) + ": services '" + it->second +
                                                            "' names no [" + section_name + "] section");
        if (auto svc = services->nested.find(services_section_key(cfg.service_id));
            svc != services->nested.end()) {
            if (auto url = svc->second.find("endpoint_url"); url != svc->second.end()) {
                const std::string source =
                    "[" + section_name + "] " + svc->first + " in " + files.config->path;
                return setting<std::string>{validate_endpoint(url->second, source), source};
            }
        }
    }
    if (auto it = cfg.profile_values.find("endpoint_url"); it != cfg.profile_values.end())
        return setting<std::string>{validate_endpoint(it->second, profile_source(cfg)), profile_source(cfg)};
    return std::nullopt;
}

} // namespace

environment::environment()
    : fn_([](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v)
            return std::nullopt;
        return std::string(v);
    }) {}

environment environment::from_map(std::map<std::string, std::string, std::less<>> vars) {
    return environment([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    });
}

std::optional<std::string> environment::get(std::string_view name) const {
    auto v = fn_(name);
    if (v && v->empty())
        return std::nullopt;
    return v;
}

std::string_view to_string(retry_mode m) noexcept {
    switch (m) {
    case retry_mode::legacy:
        return "legacy";
    case retry_mode::standard:
        return "standard";
    case retry_mode::adaptive:
        return "adaptive";
    }
    return "unknown";
}

std::string endpoint_env_var(std::string_view service_id) {
    return "AWS_ENDPOINT_URL_" + id_with_underscores(service_id, true);
}

std::string services_section_key(std::string_view service_id) {
    return id_with_underscores(service_id, false);
}

aws_config load_config(std::string_view service_id, const config_overrides& ov, const environment& env) {
    aws_config cfg;
    cfg.service_id = std::string(service_id);

    if (ov.profile) {
        cfg.profile = {*ov.profile, "explicit profile"};
        cfg.profile_explicit = true;
    } else if (auto p = env.get("AWS_PROFILE")) {
        cfg.profile = {*p, "AWS_PROFILE"};
    } else if (auto dp = env.get("AWS_DEFAULT_PROFILE")) {
        cfg.profile = {*dp, "AWS_DEFAULT_PROFILE"};
    }

    const auto home = env.get("HOME");
    if (auto p = env.get("AWS_CONFIG_FILE"))
        cfg.config_file = expand_home(*p, env);
    else if (home)
        cfg.config_file = std::filesystem::path(*home) / ".aws" / "config";
    if (auto p = env.get("AWS_SHARED_CREDENTIALS_FILE"))
        cfg.credentials_file = expand_home(*p, env);
    else if (home)
        cfg.credentials_file = std::filesystem::path(*home) / ".aws" / "credentials";

    loaded_files files;
    if (!cfg.config_file.empty())
        files.config = detail::read_ini_file(cfg.config_file);
    if (!cfg.credentials_file.empty())
        files.credentials = detail::read_ini_file(cfg.credentials_file);

    const bool found = collect_profile(files, cfg.profile.value, cfg.profile_values);
    if (!found && cfg.profile.source != "default")
        throw exception(
            errc::profile_not_found,
            "the config profile (" + cfg.profile.value + ") chosen by " + cfg.profile.source +
                " could not be found in " +
                (cfg.config_file.empty() ? std::string("(no config file)") : cfg.config_file.string()) +
                " or " +
                (cfg.credentials_file.empty() ? std::string("(no credentials file)")
                                              : cfg.credentials_file.string()));

    if (ov.region)
        cfg.region = setting<std::string>{validate_region(*ov.region, "explicit region"), "explicit region"};
    else if (auto r = lookup(env, {"AWS_REGION", "AWS_DEFAULT_REGION"}, cfg, "region"))
        cfg.region = setting<std::string>{validate_region(r->value, r->source), r->source};

    cfg.endpoint_url = resolve_endpoint(ov, env, cfg, files);

    if (ov.max_attempts) {
        if (*ov.max_attempts < 1)
            bad_value("explicit max_attempts", "max_attempts", std::to_string(*ov.max_attempts),
                      "a whole number of at least 1");
        cfg.max_attempts = setting<int>{*ov.max_attempts, "explicit max_attempts"};
    } else if (auto m = lookup(env, {"AWS_MAX_ATTEMPTS"}, cfg, "max_attempts")) {
        cfg.max_attempts = setting<int>{parse_max_attempts(m->value, m->source), m->source};
    }

    if (ov.retry_mode)
        cfg.retry_mode = setting<retry_mode>{*ov.retry_mode, "explicit retry_mode"};
    else if (auto m = lookup(env, {"AWS_RETRY_MODE"}, cfg, "retry_mode"))
        cfg.retry_mode = setting<retry_mode>{parse_retry_mode(m->value, m->source), m->source};

    if (ov.ca_bundle)
        cfg.ca_bundle = setting<std::string>{*ov.ca_bundle, "explicit ca_bundle"};
    else if (auto c = lookup(env, {"AWS_CA_BUNDLE"}, cfg, "ca_bundle"))
        cfg.ca_bundle = setting<std::string>{expand_home(c->value, env).string(), c->source};

    return cfg;
}

} // namespace chime
