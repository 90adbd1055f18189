#pragma once
// Maps an HTTP request to an operation of one of the four services, by the generated descriptor tables
// (method, URI template, literal query), and rebuilds the operation's input as JSON in AWS member names:
// URI labels, query members and header members typed as the model says, merged with the JSON body.

#include <chime/http/message.hpp>
#include <chime/operation_descriptor.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chime::local {

struct routed {
    std::string_view service; ///< "chime-sdk-messaging", ...
    const operation_descriptor* op = nullptr;
    boost::json::object input;
};

class router {
public:
    router();

    /// The operation `method` + `target` names, with its input; nullopt when no operation matches.
    /// @throws api_error (400) when the request matches but its members cannot be read.
    std::optional<routed> route(std::string_view method, std::string_view target, const http::request& req) const;

    /// Every operation, for listing what is served.
    std::vector<std::pair<std::string_view, const operation_descriptor*>> operations() const;

private:
    struct route_entry;
    std::optional<routed> try_route(const route_entry& r, std::string_view method,
                                    const std::vector<std::string_view>& raw_segments,
                                    const std::vector<std::pair<std::string, std::string>>& query,
                                    const http::request& req) const;

    struct segment {
        std::string text; ///< literal, or the label name
        bool label = false;
        bool greedy = false;
    };
    struct route_entry {
        std::string_view service;
        const operation_descriptor* op;
        std::vector<segment> segments;
        std::vector<std::pair<std::string, std::string>> literal_query;
    };
    std::vector<route_entry> routes_; // routes with a literal query first: they are the more specific
    /// Candidates by method and first path segment (every route of the four models starts with a literal),
    /// in the order of `routes_`; the request path decides which short list is scanned.
    std::unordered_map<std::string, std::vector<const route_entry*>> by_prefix_;
    std::vector<const route_entry*> label_first_; ///< routes whose first segment is a label (none today)
};

} // namespace chime::local
