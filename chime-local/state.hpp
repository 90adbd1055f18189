#pragma once
// chime-local's state and the handlers that are its semantics. The server calls `store::handle` with one
// routed request at a time per store (it holds the store's mutex): handlers read and change plain maps,
// raise api_error for what the real service refuses, and queue websocket events for the hub.

#include "chime-local/api_error.hpp"

#include <chime/json.hpp>
#include <chime/messaging/model.hpp>

#include <boost/json/value.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <chrono>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chime::local {

using time_point = std::chrono::system_clock::time_point;

/// A messaging-session frame to push to every connected session of each recipient.
struct session_event {
    std::vector<std::string> recipients; ///< AppInstanceUser ARNs
    std::string event_type;              ///< CREATE_CHANNEL_MESSAGE, ...
    std::string message_type;            ///< STANDARD, CONTROL or SYSTEM
    std::string payload;                 ///< the payload JSON text (it travels as a string inside the frame)
};

/// One request as a handler sees it.
struct call {
    std::string_view service; ///< the AWS CLI name of the service whose route matched
    std::string_view operation;
    boost::json::value input; ///< an object in AWS member names
    time_point now;
    std::string region = "us-east-1";
    std::string session_endpoint; ///< what GetMessagingSessionEndpoint answers: this server's host:port
    std::vector<session_event> events;
    bool wants_events = true; ///< false when no messaging session is connected: events need not be made
};

// ---- records ----------------------------------------------------------------------------------------

struct user_record {
    std::string arn, app_instance_arn, name, metadata;
    time_point created, updated;
};

struct app_instance_record {
    std::string arn, name, metadata;
    time_point created, updated;
    std::set<std::string> admins; ///< AppInstanceUser ARNs
};

struct membership_record {
    std::string type = "DEFAULT"; ///< DEFAULT or HIDDEN
    std::string invited_by;
    time_point created, updated;
    std::optional<time_point> read_marker;
};

struct message_record {
    messaging::channel_message m; ///< as DescribeChannelMessage returns it (ChannelArn included)
    bool deleted = false;
};

struct channel_record {
    messaging::channel info;
    std::string app_instance_arn;
    std::map<std::string, membership_record> members; ///< by member ARN
    std::map<std::string, std::pair<std::string, time_point>> moderators; ///< ARN -> (created by, when)
    std::map<std::string, std::pair<std::string, time_point>> bans;       ///< ARN -> (created by, when)
    std::deque<message_record> messages; ///< in creation order (a deque: growing never moves them)
    boost::unordered_flat_map<std::string, std::size_t> message_index; ///< id -> position in messages
    std::map<std::string, std::string> tags;
};

struct flow_record {
    messaging::channel_flow info;
    std::string app_instance_arn;
};

// ---- the store --------------------------------------------------------------------------------------

class store {
public:
    using handler = std::function<boost::json::value(store&, call&)>;

    explicit store(std::string account_id = "123456789012");

    /// Runs the operation's handler. @throws api_error for what the service refuses; an operation
    /// without a handler is 501 NotImplemented, named.
    boost::json::value handle(call& c);

    /// Operations that have a handler.
    std::vector<std::string_view> implemented() const;

    /// The whole state as JSON, and back (--state-file).
    boost::json::value save() const;
    void load(const boost::json::value& v);

    // The state, for the handler modules.
    std::string account_id;
    std::map<std::string, app_instance_record> app_instances;
    std::map<std::string, user_record> users;
    std::map<std::string, channel_record> channels;
    std::map<std::string, flow_record> flows;
    std::map<std::string, boost::json::value> generic; ///< kinds kept as JSON documents (rooms, meetings, ...)
    std::map<std::string, std::map<std::string, std::string>> tags; ///< by resource ARN
    std::uint64_t next_id = 1;

    std::string new_id();   ///< a UUID-shaped id, unique in this store
    /// A random one (meeting ids, join tokens, request ids); thread-safe. Unpredictable (a per-thread
    /// generator seeded from OpenSSL's RAND_bytes), not for secrets.
    static std::string uuid_v4();

    // Helpers the handler modules share.
    const user_record& user(const std::string& arn, std::string_view what = "ChimeBearer") const;
    /// The app instance or user named by a request member; NotFoundException when there is none.
    app_instance_record& app_instance(const std::string& arn);
    user_record& app_instance_user(const std::string& arn);
    channel_record& channel(const std::string& arn);
    void register_handler(std::string_view operation, handler h);

private:
    std::unordered_map<std::string_view, handler> handlers_;
    struct idempotent_result {
        std::size_t input_hash; ///< std::hash of the input JSON: a repeat with other parameters is a conflict
        boost::json::value output;
    };
    /// operation + ClientRequestToken. It and message_index grow by one entry per message sent: open
    /// addressing keeps their lookups to about one cache miss where node-based maps took several.
    boost::unordered_flat_map<std::string, idempotent_result> idempotency_;
};

void register_identity(store& s);
void register_identity_extras(store& s);
void register_channels(store& s);
void register_messages(store& s);
void register_channel_settings(store& s);
void register_classic(store& s);
void register_meetings(store& s);

// ---- helpers for handlers ---------------------------------------------------------------------------

/// The input as the generated request type; a malformed input is a 400 naming the member.
template <class T>
T parse(const call& c) {
    T out;
    json_context ctx;
    if (!from_json(c.input, out, ctx))
        throw bad_request(std::string(c.operation) + ": " + ctx.error());
    return out;
}

/// A generated type as a response body (or event payload).
template <class T>
boost::json::value to_value(const T& v, json_options o = {}) {
    boost::json::value out;
    to_json(out, v, o);
    return out;
}

/// MaxResults checked against [1, max] (default `fallback`) and NextToken decoded, for one operation.
struct page_request {
    std::size_t offset = 0;
    std::size_t limit = 0;
};

/// The page [p.offset, p.offset + p.limit) of `all`, each element made into an `Item` by `make`.
template <class Item, class Range, class Make>
std::vector<Item> slice(const Range& all, const page_request& p, Make make) {
    std::vector<Item> out;
    std::size_t i = 0;
    for (const auto& e : all) {
        if (i >= p.offset && i < p.offset + p.limit)
            out.push_back(make(e));
        ++i;
    }
    return out;
}

/// Records kept as JSON documents in `store::generic` (rooms, accounts, meetings, ...), by key.
template <class T>
std::optional<T> get_doc(const store& s, const std::string& key) {
    const auto it = s.generic.find(key);
    if (it == s.generic.end())
        return std::nullopt;
    T out;
    json_context ctx;
    if (!from_json(it->second, out, ctx))
        throw api_error(500, "ServiceFailureException", "corrupt record " + key + ": " + ctx.error());
    return out;
}
template <class T>
void put_doc(store& s, const std::string& key, const T& v) {
    s.generic[key] = to_value(v);
}
/// The documents whose key starts with `prefix`, in key order.
template <class T>
std::vector<T> docs_with_prefix(const store& s, const std::string& prefix) {
    std::vector<T> out;
    for (auto it = s.generic.lower_bound(prefix); it != s.generic.end() && it->first.starts_with(prefix); ++it)
        out.push_back(*get_doc<T>(s, it->first));
    return out;
}
inline void erase_prefix(store& s, const std::string& prefix) {
    auto it = s.generic.lower_bound(prefix);
    while (it != s.generic.end() && it->first.starts_with(prefix))
        it = s.generic.erase(it);
}

/// A required string member that may not be empty.
void require(const std::string& value, std::string_view member);

page_request page_of(const call& c, const std::optional<std::int32_t>& max_results,
                     const std::optional<std::string>& next_token, std::size_t fallback, std::size_t max);
/// The NextToken for the page after [offset, offset + limit) of `total` items, or nullopt at the end.
std::optional<std::string> next_token_after(const call& c, const page_request& p, std::size_t total);
/// A NextToken carrying a position of the handler's own choosing (page_of returns it as `offset`).
std::string position_token(const call& c, std::size_t position);

/// `arn:aws:chime:<region>:<account>:<kind>/<id>`.
std::string make_arn(const store& s, const call& c, std::string_view kind_and_id);

/// A messaging identity {Arn, Name} for a user ARN (the name empty when the user is unknown).
messaging::identity identity_of(const store& s, const std::string& arn);

std::string serialize_json(const boost::json::value& v);

/// The payload text of an event: timestamps as ISO-8601, as the service writes them on the websocket.
template <class T>
std::string event_payload(const T& v) {
    return serialize_json(to_value(v, json_options{.iso8601_timestamps = true}));
}

} // namespace chime::local
