#pragma once
/// @file
/// Options and error reporting for the generated JSON forms of the model types (`to_json`/`from_json`
/// in each service's `model_json.hpp`), which use AWS member names, as `--cli-input-json` does.

#include <boost/json/fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chime {

enum class timestamp_format { epoch_seconds, iso8601 };

struct json_options {
    bool body_only = false;        ///< leave out members bound to the URI, query string or headers
    bool redact_sensitive = false; ///< write members the model marks sensitive as a placeholder
    bool iso8601_timestamps = false; ///< write every timestamp as ISO-8601 text (as messaging-session events carry them)
};

/// Where a `from_json` failed: `error()` reads like "ChannelMessages[3].Content: expected a string".
class json_context {
public:
    /// Records the first failure, prefixed with the current path; returns false.
    bool fail(std::string_view what);
    const std::string& error() const noexcept { return error_; }

    void push(std::string_view member) { path_.emplace_back(member); }
    void push_index(std::size_t i) { path_.push_back("[" + std::to_string(i) + "]"); }
    void pop() { path_.pop_back(); }

private:
    std::vector<std::string> path_;
    std::string error_;
};

} // namespace chime
