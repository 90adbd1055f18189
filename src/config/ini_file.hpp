#pragma once
// The AWS shared config/credentials file format, parsed as botocore's configparser-based reader
// does: `[section]` headers, `key = value` (or `key: value`) properties with case-folded keys,
// `#`/`;` comment lines, and indented continuation lines that make a nested sub-section when the
// property's own value is empty (`s3 =` / `  max_concurrent_requests = 10`).

#include <chime/config.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chime::detail {

using ini_map = std::map<std::string, std::string, std::less<>>;

struct ini_section {
    std::string name; // as written between the brackets, trimmed
    int line = 0;
    ini_map values;
    std::map<std::string, ini_map, std::less<>> nested;
};

struct ini_file {
    std::string path;
    std::vector<ini_section> sections;

    const ini_section* find(std::string_view name) const;
};

/// Parses `text`; `path` names the file in error messages.
/// @throws chime::exception(errc::invalid_config_file) with "PATH:LINE: reason"; never quotes the line.
ini_file parse_ini(std::string_view text, std::string path);

/// The profile a config-file section names: "[default]" → default, "[profile NAME]" → NAME;
/// nullopt for other sections ("[services x]", "[sso-session y]", ...).
std::optional<std::string> config_profile_name(std::string_view section);

/// The keys of `profile` in a config-format file (`[default]` or `[profile NAME]`, the latter winning
/// when both exist) or a credentials-format file (`[NAME]`). nullopt when the profile is not there.
std::optional<ini_map> profile_values(const ini_file& file, std::string_view profile, bool config_format);

/// Reads and parses a file; nullopt when it does not exist.
/// @throws chime::exception(errc::invalid_config_file) when it exists but cannot be read or parsed.
std::optional<ini_file> read_ini_file(const std::filesystem::path& path);

} // namespace chime::detail
