// The messaging-session websocket client: connect pipeline, SESSION_ESTABLISHED, reconnects, liveness and
// catch-up. One state object per session, touched only on the session's executor (a strand).

#include <chime/messaging/session.hpp>

#include <chime/auth/sigv4.hpp>
#include <chime/messaging/model_json.hpp>
#include <chime/uri_encoding.hpp>

#include "model/json_codec.hpp"
#include "net/tls_context.hpp"
#include "util/uuid.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>

namespace chime::messaging {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using time_point = std::chrono::system_clock::time_point;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct kind_name {
    event_kind kind;
    std::string_view name;
};

constexpr kind_name kind_names[] = {
    {event_kind::connecting, "connecting"},
    {event_kind::reconnecting, "reconnecting"},
    {event_kind::established, "established"},
    {event_kind::catch_up_failed, "catch_up_failed"},
    {event_kind::stopped, "stopped"},
    {event_kind::create_channel_message, "CREATE_CHANNEL_MESSAGE"},
    {event_kind::update_channel_message, "UPDATE_CHANNEL_MESSAGE"},
    {event_kind::delete_channel_message, "DELETE_CHANNEL_MESSAGE"},
    {event_kind::redact_channel_message, "REDACT_CHANNEL_MESSAGE"},
    {event_kind::pending_create_channel_message, "PENDING_CREATE_CHANNEL_MESSAGE"},
    {event_kind::pending_update_channel_message, "PENDING_UPDATE_CHANNEL_MESSAGE"},
    {event_kind::failed_create_channel_message, "FAILED_CREATE_CHANNEL_MESSAGE"},
    {event_kind::failed_update_channel_message, "FAILED_UPDATE_CHANNEL_MESSAGE"},
    {event_kind::denied_create_channel_message, "DENIED_CREATE_CHANNEL_MESSAGE"},
    {event_kind::denied_update_channel_message, "DENIED_UPDATE_CHANNEL_MESSAGE"},
    {event_kind::channel_details, "CHANNEL_DETAILS"},
    {event_kind::create_channel, "CREATE_CHANNEL"},
    {event_kind::update_channel, "UPDATE_CHANNEL"},
    {event_kind::delete_channel, "DELETE_CHANNEL"},
    {event_kind::batch_create_channel_membership, "BATCH_CREATE_CHANNEL_MEMBERSHIP"},
    {event_kind::create_channel_membership, "CREATE_CHANNEL_MEMBERSHIP"},
    {event_kind::update_channel_membership, "UPDATE_CHANNEL_MEMBERSHIP"},
    {event_kind::delete_channel_membership, "DELETE_CHANNEL_MEMBERSHIP"},
    {event_kind::unknown, "unknown"},
};

event_kind kind_of(std::string_view event_type) {
    for (const auto& k : kind_names)
        if (k.kind >= event_kind::create_channel_message && k.kind < event_kind::unknown && k.name == event_type)
            return k.kind;
    return event_kind::unknown;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

chime::error bad_payload(const session_event& e, std::string_view what) {
    return chime::error(make_error_code(errc::bad_response),
                        std::string(e.event_type().empty() ? "frame" : e.event_type()) + " payload: " + std::string(what));
}

// Parses the payload of `e` as JSON, checking that the event carries the shape wanted.
result<json::value> payload_json(const session_event& e, std::initializer_list<event_kind> kinds, std::string_view shape) {
    if (std::ranges::find(kinds, e.kind()) == kinds.end())
        return bad_payload(e, "this event does not carry a " + std::string(shape));
    if (!e.payload())
        return bad_payload(e, "missing (expected a " + std::string(shape) + ")");
    boost::system::error_code ec;
    auto v = json::parse(*e.payload(), ec);
    if (ec)
        return bad_payload(e, "not JSON: " + ec.message());
    return v;
}

template <class T>
result<T> decode(const session_event& e, std::initializer_list<event_kind> kinds, std::string_view shape) {
    auto v = payload_json(e, kinds, shape);
    if (!v)
        return v.error();
    T out;
    json_context ctx;
    if (!from_json(*v, out, ctx))
        return bad_payload(e, ctx.error());
    return out;
}

constexpr std::initializer_list<event_kind> message_kinds = {
    event_kind::create_channel_message,         event_kind::update_channel_message,
    event_kind::delete_channel_message,         event_kind::redact_channel_message,
    event_kind::pending_create_channel_message, event_kind::pending_update_channel_message,
    event_kind::failed_create_channel_message,  event_kind::failed_update_channel_message,
    event_kind::denied_create_channel_message,  event_kind::denied_update_channel_message};

bool retryable_close(int code) {
    return code == 1001 || code == 1006 || (code >= 1011 && code <= 1014) ||
           (code > 4000 && code != 4002 && code != 4003 && code != 4401);
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

} // namespace

// ---- events ---------------------------------------------------------------------------------------------

std::string_view to_string(event_kind k) noexcept {
    for (const auto& n : kind_names)
        if (n.kind == k)
            return n.name;
    return "unknown";
}

std::optional<std::string_view> session_event::header(std::string_view name) const noexcept {
    for (const auto& [k, v] : headers_)
        if (iequals(k, name))
            return std::string_view(v);
    return std::nullopt;
}

session_event session_event::from_frame(std::string_view text) {
    session_event e;
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* h = o ? o->if_contains("Headers") : nullptr;
    if (!h || !h->is_object()) {
        e.payload_ = std::string(text);
        return e;
    }
    for (const auto& kv : h->get_object())
        e.headers_.emplace_back(std::string(kv.key()), kv.value().is_string() ? std::string(kv.value().get_string())
                                                                              : json::serialize(kv.value()));
    e.event_type_ = std::string(e.header("x-amz-chime-event-type").value_or(""));
    e.kind_ = kind_of(e.event_type_);
    if (const json::value* p = o->if_contains("Payload")) {
        if (p->is_string()) {
            if (!p->get_string().empty())
                e.payload_ = std::string(p->get_string());
        } else if (!p->is_null()) {
            e.payload_ = json::serialize(*p); // an object where a string was expected: kept, not dropped
        }
    }
    return e;
}

// Lifecycle and replayed events: made by the session only.
struct detail::session_event_factory {
    static session_event lifecycle(event_kind k, int attempt, int close_code = 0, std::string reason = {},
                                   std::optional<chime::error> err = std::nullopt) {
        session_event e;
        e.kind_ = k;
        e.attempt_ = attempt;
        e.close_code_ = close_code;
        e.reason_ = std::move(reason);
        e.error_ = std::move(err);
        return e;
    }

    /// A CREATE_CHANNEL_MESSAGE event carrying `m`, marked `replayed`.
    static session_event replay(const channel_message& m) {
        session_event e;
        e.kind_ = event_kind::create_channel_message;
        e.event_type_ = "CREATE_CHANNEL_MESSAGE";
        e.replayed_ = true;
        e.headers_.emplace_back("x-amz-chime-event-type", e.event_type_);
        e.headers_.emplace_back("x-amz-chime-message-type", m.type ? m.type->value : std::string("STANDARD"));
        json::value v;
        json_options o;
        o.iso8601_timestamps = true;
        to_json(v, m, o);
        e.payload_ = json::serialize(v);
        return e;
    }
};

using make_event = detail::session_event_factory;

result<channel_message> session_event::as_message() const {
    return decode<channel_message>(*this, message_kinds, "ChannelMessage");
}

result<channel> session_event::as_channel() const {
    return decode<channel>(*this, {event_kind::create_channel, event_kind::update_channel, event_kind::delete_channel},
                           "Channel");
}

result<channel_membership> session_event::as_membership() const {
    return decode<channel_membership>(*this,
                                      {event_kind::create_channel_membership, event_kind::update_channel_membership,
                                       event_kind::delete_channel_membership},
                                      "ChannelMembership");
}

result<batch_channel_memberships> session_event::as_batch_membership() const {
    return decode<batch_channel_memberships>(*this, {event_kind::batch_create_channel_membership},
                                             "BatchChannelMemberships");
}

result<channel_details> session_event::as_channel_details() const {
    auto v = payload_json(*this, {event_kind::channel_details}, "channel details object");
    if (!v)
        return v.error();
    const json::object* o = v->if_object();
    if (!o)
        return bad_payload(*this, "expected an object");
    channel_details d;
    json_context ctx;
    auto member = [&](std::string_view name, auto& out) {
        const json::value* m = o->if_contains(name);
        if (!m || m->is_null())
            return true;
        ctx.push(name);
        const bool ok = chime::detail::read_value(*m, out, ctx);
        ctx.pop();
        return ok;
    };
    time_point t;
    if (!member("Channel", d.channel) || !member("ChannelMessages", d.messages) ||
        !member("ChannelMemberships", d.memberships) || !member("ChannelMessagesHasMore", d.messages_have_more))
        return bad_payload(*this, ctx.error());
    if (o->if_contains("ReadMarkerTimestamp") && !o->at("ReadMarkerTimestamp").is_null()) {
        if (!member("ReadMarkerTimestamp", t))
            return bad_payload(*this, ctx.error());
        d.read_marker_timestamp = t;
    }
    return d;
}

// ---- presigning ----------------------------------------------------------------------------------------

std::string presign_connect_target(const connect_params& p, const auth::credentials& creds) {
    std::string q = "userArn=" + uri_encode(p.user_arn) + "&sessionId=" + uri_encode(p.session_id);
    if (p.prefetch_on_connect)
        q += "&prefetch-on=connect";
    if (!p.prefetch_sort_by.empty())
        q += "&prefetch-sort-by=" + uri_encode(p.prefetch_sort_by);
    if (!p.amzn_version.empty())
        q += "&X-Amzn-Version=" + uri_encode(p.amzn_version);
    if (!p.amzn_user_agent.empty())
        q += "&X-Amzn-User-Agent=" + uri_encode(p.amzn_user_agent);
    static const auth::signer signer; // thread-safe; caches the day's signing key
    const auth::header_field host{"host", p.host};
    auth::signing_params sp;
    sp.region = p.region;
    sp.service = "chime";
    sp.time = p.time;
    sp.expires = std::chrono::seconds(10);
    auth::signable_request r;
    r.method = "GET";
    r.path = "/connect";
    r.query = q;
    r.headers = std::span(&host, 1);
    return "/connect?" + signer.presign(r, creds, sp).query;
}

// ---- the session ---------------------------------------------------------------------------------------

namespace {

// How one connection ended.
struct outcome {
    bool established = false; ///< SESSION_ESTABLISHED arrived on it
    bool final = false;       ///< not worth another attempt whatever the code says (a rejected endpoint lookup)
    int code = 1006;
    std::string reason;
    std::optional<chime::error> err;
};

// The host of GetMessagingSessionEndpoint's Url, without a scheme, path or trailing slash.
std::string endpoint_host(std::string url) {
    if (const auto p = url.find("://"); p != std::string::npos)
        url.erase(0, p + 3);
    if (const auto slash = url.find('/'); slash != std::string::npos)
        url.erase(slash);
    return url;
}

// "host[:port]" or "[v6][:port]" into the name to resolve and the port.
std::pair<std::string, std::string> split_host(const std::string& host, bool tls) {
    std::string name = host, port = tls ? "443" : "80";
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        name = host.substr(1, close - 1);
        if (close + 1 < host.size() && host[close + 1] == ':')
            port = host.substr(close + 2);
    } else if (const auto colon = host.rfind(':'); colon != std::string::npos && host.find(':') == colon) {
        name = host.substr(0, colon);
        port = host.substr(colon + 1);
    }
    return {name, port};
}

bool is_ip_literal(const std::string& name) {
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    return !ec;
}

std::string random_session_id() {
    auto id = chime::detail::secure_uuid_v4();
    if (!id)
        throw exception(errc::invalid_config_value, "messaging session: cannot generate a session id: OpenSSL RAND_bytes failed");
    return std::move(*id);
}

// ChannelArn, MessageId and CreatedTimestamp of a message event's payload.
struct message_key {
    std::string channel_arn;
    std::string message_id;
    time_point created;
};

std::optional<message_key> key_of(const session_event& e) {
    if (e.kind() != event_kind::create_channel_message || !e.payload())
        return std::nullopt;
    boost::system::error_code ec;
    const json::value v = json::parse(*e.payload(), ec);
    const json::object* o = ec ? nullptr : v.if_object();
    if (!o)
        return std::nullopt;
    const json::value* arn = o->if_contains("ChannelArn");
    const json::value* id = o->if_contains("MessageId");
    const json::value* created = o->if_contains("CreatedTimestamp");
    if (!arn || !arn->is_string() || !id || !id->is_string() || !created)
        return std::nullopt;
    message_key k{std::string(arn->get_string()), std::string(id->get_string()), {}};
    json_context ctx;
    if (!chime::detail::read_value(*created, k.created, ctx))
        return std::nullopt;
    return k;
}

} // namespace

struct session::state : std::enable_shared_from_this<session::state> {
    state(asio::any_io_executor e, client c, session_options o)
        : ex(std::move(e))
        , api(std::move(c))
        , opts(std::move(o))
        , consumer_wake(ex, steady::time_point::max())
        , space_wake(ex, steady::time_point::max())
        , lifecycle_wake(ex, steady::time_point::max())
        , sleeper(ex, steady::time_point::max())
        , stop_timer(ex, steady::time_point::max()) {}

    asio::any_io_executor ex;
    client api;
    session_options opts;
    std::string id;
    bool tls = true;
    std::unique_ptr<asio::ssl::context> ssl;
    std::mt19937_64 random{std::random_device{}()};

    // Delivery to the consumer.
    std::deque<session_event> queue;
    asio::steady_timer consumer_wake; // the consumer waits on it; cancel() wakes it
    asio::steady_timer space_wake;    // the reader waits on it while the queue is full
    bool stopped_queued = false;

    // Lifecycle.
    bool running = false;
    bool stopping = false;
    int stop_code = 1000;
    std::string stop_reason = "stopped by the application";
    chime::error stop_error{make_error_code(errc::session_stopped), "the messaging session was stopped by the application"};
    bool established = false;              // now
    std::optional<chime::error> start_failure;
    asio::steady_timer lifecycle_wake;     // start() and stop() wait on it
    asio::steady_timer sleeper;            // the backoff sleep
    asio::steady_timer stop_timer;         // cancelled by stop(): ends waits raced against it
    int attempt = 0;

    // The current connection (set while one is open).
    std::function<void()> conn_wake; // the connection's supervisor: SESSION_ESTABLISHED arrived
    std::function<void()> conn_stop; // stop() was called
    enum class phase { awaiting, holding, live } ph = phase::awaiting;
    std::deque<session_event> pending; // before SESSION_ESTABLISHED, or held during catch-up

    // Catch-up: per channel, the latest CreatedTimestamp delivered and the ids of the latest messages
    // delivered. Timestamps alone cannot de-duplicate: the websocket writes ISO-8601 milliseconds and REST
    // epoch seconds, and the two may differ in the last millisecond.
    static constexpr std::size_t recent_ids = 1024;
    static constexpr std::chrono::seconds listing_margin{1}; // the listing starts this much before the mark
    struct mark {
        std::optional<time_point> floor; // when the session began to watch the channel: nothing before is missed
        std::optional<time_point> last;
        std::deque<std::string> recent;
        std::set<std::string, std::less<>> recent_set;
    };
    std::map<std::string, mark, std::less<>> marks;
    std::set<std::string> replayed_ids; // by the latest catch-up: their live copies are skipped
    session_stats counters;

    void deliver(session_event e) {
        queue.push_back(std::move(e));
        consumer_wake.cancel();
    }

    // Records a message delivered to a caught-up channel; false when it was delivered before.
    bool record(const message_key& k) {
        const auto it = marks.find(k.channel_arn);
        if (it == marks.end())
            return true;
        mark& m = it->second;
        if (!m.recent_set.insert(k.message_id).second)
            return false;
        m.recent.push_back(k.message_id);
        if (m.recent.size() > recent_ids) {
            m.recent_set.erase(m.recent.front());
            m.recent.pop_front();
        }
        if (!m.last || k.created > *m.last)
            m.last = k.created;
        return true;
    }

    void deliver_live(session_event e) {
        if (!marks.empty()) {
            if (auto k = key_of(e)) {
                if (replayed_ids.contains(k->message_id) || !record(*k)) {
                    ++counters.duplicates_skipped;
                    return;
                }
            }
        }
        deliver(std::move(e));
    }

    void release_pending() {
        auto held = std::move(pending);
        pending.clear();
        for (auto& e : held)
            deliver_live(std::move(e));
    }

    void on_frame(std::string_view text) {
        ++counters.frames;
        auto e = session_event::from_frame(text);
        if (ph == phase::awaiting && e.event_type() == "SESSION_ESTABLISHED") {
            on_established();
            return;
        }
        if (ph == phase::live)
            deliver_live(std::move(e));
        else
            pending.push_back(std::move(e));
    }

    void on_established() {
        const bool reconnect = counters.established > 0;
        ++counters.established;
        established = true;
        deliver(make_event::lifecycle(event_kind::established, attempt));
        const auto now = std::chrono::system_clock::now();
        bool fill = false;
        for (auto& [arn, m] : marks) {
            if (!m.last)
                m.floor = m.last = now; // nothing delivered yet: catch up from the first SESSION_ESTABLISHED on
            else
                fill = fill || reconnect;
        }
        ph = fill ? phase::holding : phase::live;
        if (!fill)
            release_pending();
        lifecycle_wake.cancel();
        if (conn_wake)
            conn_wake();
    }

    // Ends the session: the stopped event, once.
    void finish(int code, std::string reason, chime::error err) {
        release_pending();
        ph = phase::awaiting;
        if (!established && counters.established == 0)
            start_failure = err;
        established = false;
        running = false;
        deliver(make_event::lifecycle(event_kind::stopped, attempt, code, std::move(reason), std::move(err)));
        stopped_queued = true;
        lifecycle_wake.cancel();
    }

    void request_stop(int code, std::string reason, chime::error err) {
        if (stopping)
            return;
        stopping = true;
        stop_code = code;
        stop_reason = std::move(reason);
        stop_error = std::move(err);
        sleeper.cancel();
        stop_timer.cancel();
        space_wake.cancel();
        if (conn_stop)
            conn_stop();
    }

    std::chrono::milliseconds backoff(int n) {
        const auto cap = opts.reconnect_cap.count();
        const auto window = std::min<long long>(cap, opts.reconnect_base.count() << std::min(n, 30));
        return std::chrono::milliseconds(static_cast<long long>(std::uniform_real_distribution<double>(0.0, 1.0)(random) *
                                                                static_cast<double>(std::max<long long>(window, 0))));
    }
};

namespace {

using state_ptr = std::shared_ptr<session::state>;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> stop_wait(state_ptr st) {
    if (!st->stopping)
        co_await st->stop_timer.async_wait(tuple_awaitable);
}

asio::awaitable<result<auth::credentials_ptr>> read_credentials(state_ptr st) {
    try {
        co_return co_await st->api.core().transport().credentials()->get();
    } catch (const exception& e) {
        co_return e.error();
    }
}

template <class WS>
struct connection : std::enable_shared_from_this<connection<WS>> {
    template <class... A>
    explicit connection(asio::any_io_executor ex, A&&... stream_args)
        : resolver(ex)
        , ws(std::forward<A>(stream_args)...)
        , guard(ex)
        , tick(ex, steady::time_point::max())
        , pong_timer(ex, steady::time_point::max()) {}

    tcp::resolver resolver;
    WS ws;
    asio::steady_timer guard;      // the connect deadline, then the close grace period
    asio::steady_timer tick;       // the supervisor's waits
    asio::steady_timer pong_timer; // a ping's answer
    bool killed = false;
    bool pong = false;
    std::string kill_reason;

    // Ends the connection at once, without a close frame: every pending operation fails.
    void kill(std::string why) {
        if (killed)
            return;
        killed = true;
        kill_reason = std::move(why);
        resolver.cancel();
        beast::get_lowest_layer(ws).close();
        tick.cancel();
        pong_timer.cancel();
    }

    void arm_guard(steady::time_point at, std::string why) {
        guard.expires_at(at);
        guard.async_wait([w = this->weak_from_this(), why = std::move(why)](boost::system::error_code ec) mutable {
            if (ec)
                return;
            if (auto c = w.lock())
                c->kill(std::move(why));
        });
    }
};

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<asio::ssl::stream<beast::tcp_stream>>;

template <class WS>
asio::awaitable<outcome> read_frames(state_ptr st, std::shared_ptr<connection<WS>> c) {
    beast::flat_buffer buf;
    for (;;) {
        auto [ec, n] = co_await c->ws.async_read(buf, tuple_awaitable);
        if (ec) {
            outcome o;
            if (ec == websocket::error::closed) {
                const auto& why = c->ws.reason();
                o.code = why.code == websocket::close_code::none ? 1005 : static_cast<int>(why.code);
                o.reason = std::string(why.reason.c_str());
            } else if (ec == websocket::error::message_too_big) {
                o.code = 1009;
                o.reason = "a frame exceeded max_frame_size (" + std::to_string(st->opts.max_frame_size) + " bytes)";
            } else {
                o.reason = c->killed ? c->kill_reason : "connection lost: " + ec.message();
            }
            c->kill(o.reason);
            co_return o;
        }
        st->on_frame(std::string_view(static_cast<const char*>(buf.data().data()), buf.size()));
        buf.consume(buf.size());
        while (st->queue.size() >= st->opts.max_buffered_events && !st->stopping && !c->killed)
            co_await st->space_wake.async_wait(tuple_awaitable); // the consumer's pop wakes it
    }
}

// The gap fill of every caught-up channel, then the frames held meanwhile.
asio::awaitable<void> catch_up(state_ptr st) {
    st->replayed_ids.clear();
    std::vector<std::pair<std::string, std::optional<time_point>>> channels;
    for (const auto& [arn, m] : st->marks) {
        std::optional<time_point> since;
        if (m.last)
            since = m.floor ? std::max(*m.floor, *m.last - session::state::listing_margin) : *m.last - session::state::listing_margin;
        channels.emplace_back(arn, since);
    }
    for (auto& [arn, since] : channels) {
        list_channel_messages_request req;
        req.channel_arn = arn;
        req.chime_bearer = st->opts.app_instance_user_arn;
        req.sort_order = sort_order::ascending;
        req.not_before = since;
        req.max_results = st->opts.catch_up_page_size;
        auto items = st->api.list_channel_messages_items(std::move(req));
        for (;;) {
            if (st->stopping)
                co_return;
            std::optional<channel_message_summary> m;
            try {
                auto r = co_await (items.next() || stop_wait(st));
                if (r.index() == 1)
                    co_return;
                m = std::move(std::get<0>(r));
            } catch (const exception& e) {
                st->deliver(make_event::lifecycle(event_kind::catch_up_failed, st->attempt, 0,
                                                     "catch-up of " + arn + " failed", e.error()));
                break;
            } catch (const boost::system::system_error& e) {
                st->deliver(make_event::lifecycle(event_kind::catch_up_failed, st->attempt, 0,
                                                     "catch-up of " + arn + " failed",
                                                     chime::error(e.code(), std::string(e.what()))));
                break;
            }
            if (!m)
                break;
            if (!m->message_id || !m->created_timestamp)
                continue; // the service always sends both; a listing without them cannot be de-duplicated
            const message_key k{arn, *m->message_id, *m->created_timestamp};
            if (!st->record(k)) {
                ++st->counters.duplicates_skipped;
                continue;
            }
            channel_message full;
            full.channel_arn = arn;
            full.message_id = m->message_id;
            full.content = std::move(m->content);
            full.metadata = std::move(m->metadata);
            full.type = std::move(m->type);
            full.created_timestamp = m->created_timestamp;
            full.last_edited_timestamp = m->last_edited_timestamp;
            full.last_updated_timestamp = m->last_updated_timestamp;
            full.sender = std::move(m->sender);
            full.redacted = m->redacted;
            full.status = std::move(m->status);
            full.message_attributes = std::move(m->message_attributes);
            full.content_type = std::move(m->content_type);
            full.target = std::move(m->target);
            st->replayed_ids.insert(k.message_id);
            ++st->counters.replayed;
            st->deliver(make_event::replay(full));
        }
    }
}

// Waits for SESSION_ESTABLISHED (until the connect deadline), runs catch-up, then pings; ends the
// connection when a pong does not come or the session is stopped.
template <class WS>
asio::awaitable<outcome> supervise(state_ptr st, std::shared_ptr<connection<WS>> c, steady::time_point deadline) {
    while (!st->established && !st->stopping && !c->killed) {
        c->tick.expires_at(deadline);
        auto [ec] = co_await c->tick.async_wait(tuple_awaitable);
        if (!ec) {
            outcome o;
            o.reason = "no SESSION_ESTABLISHED within the connect timeout (" + ms(st->opts.connect_timeout) + ")";
            c->kill(o.reason);
            co_return o;
        }
    }
    c->guard.cancel();
    if (st->ph == session::state::phase::holding && !st->stopping) {
        co_await catch_up(st);
        if (!st->stopping) {
            st->ph = session::state::phase::live;
            st->release_pending();
        }
    }
    for (;;) {
        if (st->stopping || c->killed) {
            if (!c->killed) {
                c->arm_guard(steady::now() + std::chrono::seconds(1), "the server did not answer the close within 1 s");
                const websocket::close_reason why(websocket::close_code::normal, "stopped by the application");
                co_await c->ws.async_close(why, tuple_awaitable);
                c->kill("stopped by the application");
            }
            outcome o;
            o.code = st->stop_code;
            o.reason = st->stop_reason;
            co_return o;
        }
        const bool pinging = st->opts.ping_interval.count() > 0;
        c->tick.expires_at(pinging ? steady::now() + st->opts.ping_interval : steady::time_point::max());
        auto [ec] = co_await c->tick.async_wait(tuple_awaitable);
        if (ec || st->stopping || c->killed)
            continue; // woken: stopped or killed
        c->pong = false;
        ++st->counters.pings_sent;
        c->pong_timer.expires_after(st->opts.pong_timeout);
        auto [pec] = co_await c->ws.async_ping({}, tuple_awaitable);
        if (pec)
            continue; // the reader sees the failure too
        while (!c->pong && !st->stopping && !c->killed) {
            auto [tec] = co_await c->pong_timer.async_wait(tuple_awaitable);
            if (!tec && !c->pong) {
                outcome o;
                o.reason = "no pong within " + ms(st->opts.pong_timeout);
                c->kill(o.reason);
                co_return o;
            }
        }
    }
}

template <class WS>
asio::awaitable<outcome> serve(state_ptr st, std::shared_ptr<connection<WS>> c, std::string host, std::string target,
                               steady::time_point deadline) {
    auto fail = [&](std::string what) {
        outcome o;
        o.reason = c->killed ? c->kill_reason : std::move(what);
        return o;
    };
    c->arm_guard(deadline, "the connection was not up within the connect timeout (" + ms(st->opts.connect_timeout) + ")");
    const auto [name, port] = split_host(host, st->tls);
    auto [rec, addresses] = co_await c->resolver.async_resolve(name, port, tuple_awaitable);
    if (rec)
        co_return fail("cannot resolve " + name + ": " + rec.message());
    auto& tcp_layer = beast::get_lowest_layer(c->ws);
    auto [cec, connected] = co_await asio::async_connect(tcp_layer.socket(), addresses, tuple_awaitable); // each address in turn
    if (cec)
        co_return fail("cannot connect to " + host + ": " + cec.message());
    boost::system::error_code ignored;
    tcp_layer.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (std::is_same_v<WS, tls_ws>) {
        SSL* ssl = c->ws.next_layer().native_handle();
        if (!is_ip_literal(name))
            SSL_set_tlsext_host_name(ssl, name.c_str());
        if (st->api.core().transport().options().pool.tls.verify)
            c->ws.next_layer().set_verify_callback(asio::ssl::host_name_verification(name));
        auto [hec] = co_await c->ws.next_layer().async_handshake(asio::ssl::stream_base::client, tuple_awaitable);
        if (hec)
            co_return fail("TLS handshake with " + host + " failed: " + hec.message());
    }
    websocket::stream_base::timeout t;
    t.handshake_timeout = std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()));
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    c->ws.set_option(t);
    c->ws.read_message_max(st->opts.max_frame_size);
    c->ws.set_option(websocket::stream_base::decorator([ua = st->api.core().transport().options().user_agent](websocket::request_type& r) {
        r.set(beast::http::field::user_agent, ua);
    }));
    c->ws.control_callback([w = c->weak_from_this()](websocket::frame_type kind, beast::string_view) {
        if (kind != websocket::frame_type::pong)
            return;
        if (auto self = w.lock()) {
            self->pong = true;
            self->pong_timer.cancel();
        }
    });
    websocket::response_type res;
    auto [wec] = co_await c->ws.async_handshake(res, host, target, tuple_awaitable);
    if (wec) {
        std::string why = "the websocket upgrade of " + host + " failed: " + wec.message();
        if (res.result_int() != 0 && res.result_int() != 101)
            why += " (HTTP " + std::to_string(res.result_int()) + ")";
        co_return fail(std::move(why));
    }
    // Open: the reader runs from now on; the supervisor waits for SESSION_ESTABLISHED.
    st->ph = session::state::phase::awaiting;
    st->conn_wake = [w = c->weak_from_this()] {
        if (auto self = w.lock())
            self->tick.cancel();
    };
    st->conn_stop = [w = c->weak_from_this(), st = st.get()] {
        if (auto self = w.lock()) {
            if (!st->established)
                self->kill("stopped by the application");
            self->tick.cancel();
            self->pong_timer.cancel();
        }
    };
    auto r = co_await (read_frames(st, c) || supervise(st, c, deadline));
    c->guard.cancel();
    c->kill("");
    st->conn_wake = nullptr;
    st->conn_stop = nullptr;
    outcome o = r.index() == 0 ? std::get<0>(std::move(r)) : std::get<1>(std::move(r));
    o.established = st->established;
    st->established = false;
    if (st->ph == session::state::phase::awaiting)
        st->release_pending(); // frames on a socket that never established: delivered, not dropped
    // Held during an unfinished catch-up: kept for the next connection's catch-up to de-duplicate.
    co_return o;
}

asio::awaitable<outcome> attempt_connection(state_ptr st) {
    const auto deadline = steady::now() + st->opts.connect_timeout;
    call_options copts;
    copts.timeout = st->opts.connect_timeout;
    client api = st->api.with(copts);
    get_messaging_session_endpoint_request req;
    auto r = co_await (api.get_messaging_session_endpoint(std::move(req), no_throw) || stop_wait(st));
    outcome o;
    if (r.index() == 1 || st->stopping)
        co_return o;
    auto& ep = std::get<0>(r);
    if (!ep) {
        o.code = 4999;
        o.reason = "GetMessagingSessionEndpoint failed: " + ep.error().message();
        o.err = ep.error();
        o.final = !(ep.error().code == condition::retryable || ep.error().code == condition::throttled);
        co_return o;
    }
    const std::string host = endpoint_host(ep->endpoint && ep->endpoint->url ? *ep->endpoint->url : std::string());
    if (host.empty()) {
        o.code = 4999;
        o.reason = "GetMessagingSessionEndpoint returned no Endpoint.Url";
        co_return o;
    }
    auto creds = co_await (read_credentials(st) || stop_wait(st));
    if (creds.index() == 1 || st->stopping)
        co_return o;
    auto& cr = std::get<0>(creds);
    if (!cr) {
        o.final = true;
        o.code = 4999;
        o.reason = "no credentials to sign the session with: " + cr.error().message();
        o.err = cr.error();
        co_return o;
    }
    const auto& clock = st->api.core().transport().options().clock;
    connect_params p;
    p.host = host;
    p.region = st->api.core().region();
    p.user_arn = st->opts.app_instance_user_arn;
    p.session_id = st->id;
    p.prefetch_on_connect = st->opts.prefetch_on_connect;
    p.prefetch_sort_by = st->opts.prefetch_sort_by;
    p.time = clock ? clock() : std::chrono::system_clock::now();
    std::string target = presign_connect_target(p, **cr);
    if (st->tls) {
        auto c = std::make_shared<connection<tls_ws>>(st->ex, st->ex, *st->ssl);
        co_return co_await serve(st, std::move(c), host, std::move(target), deadline);
    }
    auto c = std::make_shared<connection<plain_ws>>(st->ex, st->ex);
    co_return co_await serve(st, std::move(c), host, std::move(target), deadline);
}

asio::awaitable<void> run(state_ptr st) {
    std::optional<steady::time_point> budget_from;
    int exponent = 0;
    bool first = true;
    outcome last;
    for (;;) {
        if (st->stopping)
            break;
        ++st->attempt;
        ++st->counters.attempts;
        if (!budget_from)
            budget_from = steady::now();
        st->deliver(first ? make_event::lifecycle(event_kind::connecting, st->attempt)
                          : make_event::lifecycle(event_kind::reconnecting, st->attempt, last.code, last.reason));
        first = false;
        last = co_await attempt_connection(st);
        if (st->stopping)
            break;
        if (last.established) {
            st->attempt = 0;
            exponent = 0;
            budget_from = steady::now(); // the budget runs from the drop, and only since SESSION_ESTABLISHED
        }
        if (last.final || !retryable_close(last.code)) {
            chime::error err = last.err ? *last.err
                                        : chime::error(make_error_code(errc::session_closed),
                                                       "the messaging session was closed with " + std::to_string(last.code) +
                                                           (last.reason.empty() ? "" : " (" + last.reason + ")") +
                                                           ", a code that is not retried");
            st->finish(last.code, last.reason, std::move(err));
            co_return;
        }
        const auto spent = steady::now() - *budget_from;
        const bool out_of_attempts = st->opts.max_reconnect_attempts && st->attempt >= *st->opts.max_reconnect_attempts;
        if (out_of_attempts || spent >= st->opts.reconnect_budget) {
            const auto spent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(spent);
            st->finish(last.code, last.reason,
                       chime::error(make_error_code(errc::session_reconnect_exhausted),
                                    "the messaging session gave up reconnecting after " + std::to_string(st->attempt) +
                                        " attempt(s) in " + ms(spent_ms) + "; the last ended with " +
                                        std::to_string(last.code) + " (" + last.reason + ")"));
            co_return;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(st->opts.reconnect_budget - spent);
        st->sleeper.expires_after(std::min(st->backoff(exponent++), left));
        co_await st->sleeper.async_wait(tuple_awaitable);
    }
    st->finish(st->stop_code, st->stop_reason, st->stop_error);
}

asio::awaitable<void> wait_lifecycle(state_ptr st, bool or_established) {
    if (!st->stopped_queued && !(or_established && st->counters.established > 0))
        co_await st->lifecycle_wake.async_wait(tuple_awaitable);
}

// The timers used as wake-ups stay at time_point::max() for ever: re-arming one would cancel the
// waits of others.
// Each checks its condition itself: it runs as its own coroutine, so a wake-up may come between the
// caller's check and the wait.
asio::awaitable<void> wait_event(state_ptr st) {
    if (st->queue.empty() && !st->stopped_queued)
        co_await st->consumer_wake.async_wait(tuple_awaitable);
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none) // the consumer cancelled its next()
        throw boost::system::system_error(asio::error::operation_aborted);
}

async_generator<session_event> event_stream(state_ptr st) {
    for (;;) {
        if (!st->queue.empty()) {
            session_event e = std::move(st->queue.front());
            st->queue.pop_front();
            st->space_wake.cancel();
            const bool last = e.is_stopped();
            co_yield std::move(e);
            if (last)
                co_return;
            continue;
        }
        if (st->stopped_queued && st->queue.empty())
            co_return; // the stopped event went to an earlier stream
        co_await wait_event(st);
    }
}

} // namespace

// ---- session -------------------------------------------------------------------------------------------

session::session(asio::any_io_executor ex, client api, session_options options) {
    auto bad = [](const std::string& what) { throw exception(errc::invalid_config_value, "messaging session: " + what); };
    if (options.app_instance_user_arn.empty())
        bad("app_instance_user_arn is required");
    if (!options.prefetch_sort_by.empty() && options.prefetch_sort_by != "unread" &&
        options.prefetch_sort_by != "last-message-timestamp")
        bad("prefetch_sort_by must be unread or last-message-timestamp, not '" + options.prefetch_sort_by + "'");
    if (options.start_timeout.count() <= 0 || options.connect_timeout.count() <= 0)
        bad("start_timeout and connect_timeout must be positive");
    if (options.reconnect_base.count() < 0 || options.reconnect_cap.count() < 0 || options.reconnect_budget.count() < 0)
        bad("reconnect_base, reconnect_cap and reconnect_budget must not be negative");
    if (options.max_reconnect_attempts && *options.max_reconnect_attempts < 1)
        bad("max_reconnect_attempts must be at least 1");
    if (options.ping_interval.count() < 0 || (options.ping_interval.count() > 0 && options.pong_timeout.count() <= 0))
        bad("ping_interval must not be negative, and pong_timeout must be positive when pinging");
    if (options.max_frame_size == 0 || options.max_buffered_events == 0)
        bad("max_frame_size and max_buffered_events must be at least 1");
    if (options.catch_up_page_size < 1 || options.catch_up_page_size > 50)
        bad("catch_up_page_size must be in [1, 50] (ListChannelMessages' MaxResults)");
    for (const auto& c : options.catch_up_channels)
        if (c.empty())
            bad("catch_up_channels holds an empty channel ARN");
    st_ = std::make_shared<state>(std::move(ex), std::move(api), std::move(options));
    st_->id = st_->opts.session_id.empty() ? random_session_id() : st_->opts.session_id;
    for (const auto& c : st_->opts.catch_up_channels)
        st_->marks.try_emplace(c);
    st_->tls = st_->api.core().endpoint().tls;
    if (st_->tls) { // the pool's TLS settings: verification on unless turned off there
        st_->ssl = net::detail::make_client_tls_context(st_->api.core().transport().options().pool.tls);
        // A session is idle most of the time: OpenSSL frees its 2 x 16 KiB record buffers between records.
        SSL_CTX_set_mode(st_->ssl->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    }
}

session::~session() {
    if (st_ && st_->running) {
        // Not on the session's executor necessarily: post the stop there.
        asio::post(st_->ex, [st = st_] {
            st->request_stop(1000, "the session object was destroyed",
                             chime::error(make_error_code(errc::session_stopped), "the messaging session object was destroyed"));
        });
    }
}

session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;

asio::awaitable<result<void>> session::start(no_throw_t) {
    auto st = st_;
    auto up = [&] { return st->counters.established > 0; };
    if (!up() && !st->running && !st->stopped_queued) {
        st->running = true;
        asio::co_spawn(st->ex, run(st), asio::detached);
    }
    const auto deadline = steady::now() + st->opts.start_timeout;
    while (!up() && !st->stopped_queued) {
        asio::steady_timer timer(st->ex, deadline);
        auto r = co_await (wait_lifecycle(st, true) || timer.async_wait(asio::use_awaitable));
        if (r.index() == 1 && !up() && !st->stopped_queued) {
            chime::error err(make_error_code(errc::session_start_timeout),
                             "the messaging session was not established within the start timeout (" +
                                 ms(st->opts.start_timeout) + ")");
            st->request_stop(1006, "start timeout", err);
            co_return err;
        }
    }
    if (up())
        co_return result<void>();
    co_return st->start_failure ? *st->start_failure
                                : chime::error(make_error_code(errc::session_stopped), "the messaging session stopped before it was established");
}

asio::awaitable<void> session::start() {
    auto r = co_await start(no_throw);
    if (!r)
        throw exception(r.error());
}

async_generator<session_event> session::events() { return event_stream(st_); }

asio::awaitable<void> session::stop() {
    auto st = st_;
    if (!st->running && !st->stopped_queued) {
        // Never started: the stream still ends with its stopped event.
        st->stopping = true;
        st->finish(st->stop_code, st->stop_reason, st->stop_error);
        co_return;
    }
    st->request_stop(1000, "stopped by the application",
                     chime::error(make_error_code(errc::session_stopped), "the messaging session was stopped by the application"));
    while (!st->stopped_queued)
        co_await wait_lifecycle(st, false);
}

void session::catch_up(std::string channel_arn) {
    if (channel_arn.empty())
        throw exception(errc::invalid_config_value, "messaging session: catch_up needs a channel ARN");
    auto [it, added] = st_->marks.try_emplace(std::move(channel_arn));
    if (added && st_->counters.established > 0)
        it->second.floor = it->second.last = std::chrono::system_clock::now();
}

const std::string& session::session_id() const noexcept { return st_->id; }

bool session::is_established() const noexcept { return st_->established; }

session_stats session::stats() const noexcept { return st_->counters; }

} // namespace chime::messaging
