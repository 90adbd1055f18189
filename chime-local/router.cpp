#include "chime-local/router.hpp"

#include "chime-local/api_error.hpp"

#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace chime::local {
namespace json = boost::json;

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i)
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

json::value typed(const member_binding& b, const std::string& text) {
    switch (b.kind) {
    case binding_kind::integer: {
        std::int64_t v = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || p != text.data() + text.size())
            throw bad_request("Invalid value '" + text + "' for " + std::string(b.wire) + ": expected an integer");
        return v;
    }
    case binding_kind::boolean:
        if (text != "true" && text != "false")
            throw bad_request("Invalid value '" + text + "' for " + std::string(b.wire) + ": expected true or false");
        return text == "true";
    default: // strings, and timestamps as ISO-8601 text, which from_json reads
        return json::string(text);
    }
}

std::string prefix_key(std::string_view method, std::string_view first_segment) {
    std::string key;
    key.reserve(method.size() + 1 + first_segment.size());
    key.append(method).append(1, ' ').append(first_segment);
    return key;
}

} // namespace

router::router() {
    const std::pair<std::string_view, std::span<const operation_descriptor>> services[] = {
        // Modern services first: where the `chime` service has the same route (channels, app instances,
        // meetings), the request is served by the same handler either way.
        {"chime-sdk-messaging", messaging::operation_descriptors()},
        {"chime-sdk-identity", identity::operation_descriptors()},
        {"chime-sdk-meetings", meetings::operation_descriptors()},
        {"chime", classic::operation_descriptors()},
    };
    for (const auto& [service, ops] : services)
        for (const auto& op : ops) {
            route_entry r{service, &op, {}, {}};
            const auto q = op.uri.find('?');
            for (auto seg : split(op.uri.substr(1, q == std::string_view::npos ? q : q - 1), '/')) {
                if (seg.starts_with('{')) {
                    const bool greedy = seg.ends_with("+}");
                    r.segments.push_back({std::string(seg.substr(1, seg.size() - (greedy ? 3 : 2))), true, greedy});
                } else {
                    r.segments.push_back({std::string(seg), false, false});
                }
            }
            if (q != std::string_view::npos)
                for (auto item : split(op.uri.substr(q + 1), '&')) {
                    const auto eq = item.find('=');
                    r.literal_query.emplace_back(item.substr(0, eq),
                                                 eq == std::string_view::npos ? "" : item.substr(eq + 1));
                }
            routes_.push_back(std::move(r));
        }
    std::stable_partition(routes_.begin(), routes_.end(), [](const route_entry& r) { return !r.literal_query.empty(); });
    for (const auto& r : routes_) {
        if (r.segments.empty() || r.segments.front().label)
            label_first_.push_back(&r);
        else
            by_prefix_[prefix_key(r.op->method, r.segments.front().text)].push_back(&r);
    }
}

std::vector<std::pair<std::string_view, const operation_descriptor*>> router::operations() const {
    std::vector<std::pair<std::string_view, const operation_descriptor*>> out;
    for (const auto& r : routes_)
        out.emplace_back(r.service, r.op);
    return out;
}

std::optional<routed> router::route(std::string_view method, std::string_view target, const http::request& req) const {
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    if (path.empty() || path.front() != '/')
        return std::nullopt;
    const auto raw_segments = split(path.substr(1), '/');
    std::vector<std::pair<std::string, std::string>> query;
    if (q != std::string_view::npos && q + 1 < target.size())
        for (auto item : split(target.substr(q + 1), '&')) {
            const auto eq = item.find('=');
            query.emplace_back(uri_decode(item.substr(0, eq)),
                               eq == std::string_view::npos ? "" : uri_decode(item.substr(eq + 1)));
        }

    const auto candidates = by_prefix_.find(prefix_key(method, raw_segments.front()));
    if (candidates != by_prefix_.end())
        for (const route_entry* entry : candidates->second)
            if (auto out = try_route(*entry, method, raw_segments, query, req))
                return out;
    for (const route_entry* entry : label_first_)
        if (auto out = try_route(*entry, method, raw_segments, query, req))
            return out;
    return std::nullopt;
}

std::optional<routed> router::try_route(const route_entry& r, std::string_view method,
                                    const std::vector<std::string_view>& raw_segments,
                                    const std::vector<std::pair<std::string, std::string>>& query,
                                    const http::request& req) const {
    if (r.op->method != method)
        return std::nullopt;
    const bool greedy = !r.segments.empty() && r.segments.back().greedy;
    if (greedy ? raw_segments.size() < r.segments.size() : raw_segments.size() != r.segments.size())
        return std::nullopt;
    // Literal segments first: most candidates fail there, before any label is decoded.
    bool match = true;
    for (std::size_t i = 0; i < r.segments.size() && match; ++i)
        match = r.segments[i].label ? (r.segments[i].greedy || !raw_segments[i].empty())
                                    : raw_segments[i] == r.segments[i].text;
    for (const auto& [k, v] : r.literal_query)
        match = match && std::ranges::any_of(query, [&](const auto& p) { return p.first == k && p.second == v; });
    if (!match)
        return std::nullopt;
    // The body first: members bound to the URI, query or headers are set over it (they win).
    routed out{r.service, r.op, {}};
    if (r.op->has_body && !req.body.empty()) {
        boost::system::error_code ec;
        json::value body = json::parse(req.body, ec);
        if (ec || !body.is_object())
            throw bad_request("The request body is not a JSON object" + (ec ? " (" + ec.message() + ")" : std::string()));
        out.input = std::move(body.as_object());
    }
    for (const auto& b : r.op->bindings) {
        out.input.erase(b.member); // a member bound elsewhere is never read from the body
        switch (b.location) {
        case binding_location::uri:
            for (std::size_t i = 0; i < r.segments.size(); ++i) {
                const auto& seg = r.segments[i];
                if (!seg.label || seg.text != b.wire)
                    continue;
                if (seg.greedy) {
                    std::string joined;
                    for (std::size_t j = i; j < raw_segments.size(); ++j) {
                        if (j > i)
                            joined += '/';
                        joined += uri_decode(raw_segments[j]);
                    }
                    out.input[b.member] = joined;
                } else {
                    out.input[b.member] = uri_decode(raw_segments[i]);
                }
                break;
            }
            break;
        case binding_location::header:
            if (const auto v = req.header_value(b.wire); !v.empty())
                out.input[b.member] = typed(b, std::string(v));
            break;
        case binding_location::query:
            for (const auto& [k, v] : query) {
                if (k != b.wire)
                    continue;
                if (b.kind == binding_kind::string_list) {
                    auto& arr = out.input[b.member];
                    if (!arr.is_array())
                        arr.emplace_array();
                    arr.as_array().push_back(json::string(v));
                } else {
                    out.input[b.member] = typed(b, v);
                }
            }
            break;
        }
    }
    return out;
}

} // namespace chime::local
