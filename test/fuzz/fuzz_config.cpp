// libFuzzer target: the shared config / credentials file parser, and the profile lookups over its result.
#include "config/ini_file.hpp"

#include <chime/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto file = chime::detail::parse_ini(text, "fuzz.ini");
        for (const auto& s : file.sections) {
            if (const auto name = chime::detail::config_profile_name(s.name)) {
                (void)chime::detail::profile_values(file, *name, true);
                (void)chime::detail::profile_values(file, *name, false);
            }
        }
        (void)chime::detail::profile_values(file, "default", true);
    } catch (const chime::exception& e) {
        (void)e.what(); // malformed input is reported, with FILE:LINE
    }
    return 0;
}
