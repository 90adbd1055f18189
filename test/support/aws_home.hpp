#pragma once
// A scratch HOME with ~/.aws files and an environment map, for configuration and credential tests.

#include "support/test_support.hpp"

#include <chime/config.hpp>
#include <chime/error.hpp>

#include <map>
#include <string>
#include <utility>

namespace chime::test {

struct aws_home {
    scratch_dir home;
    std::map<std::string, std::string, std::less<>> vars{{"HOME", home.path().string()}};

    void config(std::string_view text) const { write_file(home.path() / ".aws" / "config", text); }
    void credentials(std::string_view text) const { write_file(home.path() / ".aws" / "credentials", text); }
    environment env() const { return environment::from_map(vars); }
};

/// The chime::exception `f` throws, as (code, message); ({}, "no error") when it throws none.
template <class F>
std::pair<errc, std::string> error_of(F&& f) {
    try {
        f();
    } catch (const exception& e) {
        return {static_cast<errc>(e.code().value()), e.what()};
    }
    return {errc{}, "no error"};
}

} // namespace chime::test
