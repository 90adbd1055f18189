#include "config/ini_file.hpp"

#include <chime/error.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace chime::detail {
namespace {

bool is_blank(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

[[noreturn]] void fail(const std::string& path, int line, const std::string& why) {
    throw exception(errc::invalid_config_file, path + ":" + std::to_string(line) + ": " + why);
}

// Splits "key = value" at the first '=' or ':' (configparser's delimiters). Returns false if neither.
bool split_property(std::string_view line, std::string_view& key, std::string_view& value) {
    const std::size_t at = line.find_first_of("=:");
    if (at == std::string_view::npos)
        return false;
    key = trim(line.substr(0, at));
    value = trim(line.substr(at + 1));
    return true;
}

} // namespace

const ini_section* ini_file::find(std::string_view name) const {
    auto it = std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.name == name; });
    return it == sections.end() ? nullptr : &*it;
}

ini_file parse_ini(std::string_view text, std::string path) {
    ini_file file;
    file.path = std::move(path);
    ini_section* section = nullptr;
    std::string last_key; // the property that indented lines continue
    int last_key_line = 0;

    int line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        const std::string_view raw = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;

        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';')
            continue;

        if (is_blank(raw.front())) {
            // Continuation of the previous property.
            if (!section || last_key.empty())
                fail(file.path, line_no, "indented line does not continue any property");
            std::string& parent = section->values[last_key];
            if (parent.empty() || section->nested.count(last_key)) {
                std::string_view k, v;
                if (!split_property(line, k, v) || k.empty())
                    fail(file.path, line_no,
                         "expected 'key = value' in the nested settings of '" + last_key + "' (line " +
                             std::to_string(last_key_line) + ")");
                section->nested[last_key][std::string(k)] = std::string(v);
            } else {
                parent += '\n';
                parent += line;
            }
            continue;
        }

        if (line.front() == '[') {
            const std::size_t close = line.find(']');
            if (close == std::string_view::npos)
                fail(file.path, line_no, "section header has no closing ']'");
            const std::string_view rest = trim(line.substr(close + 1));
            if (!rest.empty() && rest.front() != '#' && rest.front() != ';')
                fail(file.path, line_no, "unexpected text after section header");
            const std::string_view name = trim(line.substr(1, close - 1));
            if (name.empty())
                fail(file.path, line_no, "empty section name");
            if (const ini_section* prev = file.find(name))
                fail(file.path, line_no,
                     "duplicate section [" + std::string(name) + "] (first at line " +
                         std::to_string(prev->line) + ")");
            file.sections.push_back(ini_section{std::string(name), line_no, {}, {}});
            section = &file.sections.back();
            last_key.clear();
            continue;
        }

        if (!section)
            fail(file.path, line_no, "setting before any [section] header");
        std::string_view k, v;
        if (!split_property(line, k, v))
            fail(file.path, line_no, "expected 'key = value'");
        if (k.empty())
            fail(file.path, line_no, "setting without a name");
        std::string key = lower(k);
        if (section->values.count(key))
            fail(file.path, line_no, "duplicate setting '" + key + "' in section [" + section->name + "]");
        section->values.emplace(key, std::string(v));
        last_key = std::move(key);
        last_key_line = line_no;
    }
    return file;
}

std::optional<std::string> config_profile_name(std::string_view section) {
    if (section == "default")
        return std::string(section);
    if (!section.starts_with("profile") || section.size() <= 7 || !is_blank(section[7]))
        return std::nullopt;
    std::string_view name = trim(section.substr(8));
    if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front())
        name = name.substr(1, name.size() - 2);
    if (name.empty())
        return std::nullopt;
    return std::string(name);
}

std::optional<ini_map> profile_values(const ini_file& file, std::string_view profile, bool config_format) {
    if (!config_format) {
        const ini_section* s = file.find(profile);
        return s ? std::optional<ini_map>(s->values) : std::nullopt;
    }
    std::optional<ini_map> out;
    for (const auto& s : file.sections) // "[default]" first, so that "[profile default]" overrides it
        if (s.name == "default" && profile == "default")
            out = s.values;
    for (const auto& s : file.sections) {
        if (s.name != "default" && config_profile_name(s.name) == profile) {
            if (!out)
                out.emplace();
            for (const auto& [k, v] : s.values)
                (*out)[k] = v;
        }
    }
    return out;
}

std::optional<ini_file> read_ini_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return std::nullopt;
    if (std::filesystem::is_directory(path, ec))
        throw exception(errc::invalid_config_file, path.string() + ": is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw exception(errc::invalid_config_file, path.string() + ": cannot be read");
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse_ini(buf.str(), path.string());
}

} // namespace chime::detail
