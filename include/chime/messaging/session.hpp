#pragma once
/// @file
/// The messaging-session websocket: live Chime SDK messaging events for one AppInstanceUser, as a typed
/// stream that survives drops.
///
///     messaging::session s(ex, client, {.app_instance_user_arn = user});
///     co_await s.start();                       // SESSION_ESTABLISHED, or an error; never hangs
///     auto events = s.events();
///     while (auto e = co_await events.next()) {
///         if (e->kind() == messaging::event_kind::create_channel_message)
///             use(e->as_message().value());
///         else if (e->is_stopped())             // always the last event, exactly once
///             break;
///     }
///
/// Each connection attempt calls GetMessagingSessionEndpoint through `client` (retries, deadlines and TLS
/// settings as any call), reads credentials from the client's provider, presigns `/connect` (SigV4 query
/// signing, service `chime`, `X-Amz-Expires=10`, the session token inside the signature) and opens
/// `wss://host/connect?...` (`ws://` when the client's endpoint is `http://`) with the TLS settings of the
/// client's pool: certificate and host-name verification on unless turned off there.
///
/// Lifecycle: `connecting` (first attempt), `reconnecting` (every later attempt), `established`
/// (SESSION_ESTABLISHED on this socket: the app should resync what it keeps over REST, unless catch-up does
/// it), `catch_up_failed` (a gap fill could not list a channel; live events continue), and `stopped`, the
/// last event, exactly once, with the close code, reason and error. These are events in the same stream,
/// in order with the messages. The SESSION_ESTABLISHED frame itself is the `established` event; frames
/// that arrive before it on the same socket are delivered right after it, in order.
///
/// Reconnects: after a close with 1001, 1006, 1011-1014 or a code above 4000 other than 4002, 4003 and
/// 4401. Local failures (DNS, TCP, TLS, an upgrade that is not 101, a ping without pong, EOF without a
/// close frame, no SESSION_ESTABLISHED within the connect timeout) count as 1006; a failed
/// GetMessagingSessionEndpoint counts as 4999 when the error is retryable and is terminal otherwise.
/// Full-jitter backoff `rand[0,1) * min(cap, base * 2^n)` within a time budget that starts at the first
/// failure after SESSION_ESTABLISHED (never at socket open, so accept-then-close loops end) and an
/// optional attempt limit.
///
/// Threading: a session and its event stream belong to one executor, which must be an implicit or
/// explicit strand (a one-thread io_context, or a strand). Call its members from coroutines on it.
/// Many sessions may share one executor.

#include <chime/async_generator.hpp>
#include <chime/error.hpp>
#include <chime/messaging/client.hpp>
#include <chime/messaging/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chime::messaging {

using namespace std::chrono_literals;

/// What an event is. Lifecycle kinds come from the session itself; the others from the
/// `x-amz-chime-event-type` header of a frame.
enum class event_kind {
    // Lifecycle.
    connecting,      ///< the first connection attempt began
    reconnecting,    ///< a later attempt began (`attempt()` counts them since the last SESSION_ESTABLISHED)
    established,     ///< SESSION_ESTABLISHED arrived on this socket
    catch_up_failed, ///< a gap fill could not list a channel (`error()` says why); live events continue
    stopped,         ///< the session ended; always the last event (`close_code()`, `reason()`, `error()`)
    // Channel messages (payload: ChannelMessage; see `as_message`).
    create_channel_message,
    update_channel_message,
    delete_channel_message,
    redact_channel_message,
    pending_create_channel_message,
    pending_update_channel_message,
    failed_create_channel_message,
    failed_update_channel_message,
    denied_create_channel_message,
    denied_update_channel_message,
    // Prefetch (payload: see `as_channel_details`).
    channel_details,
    // Channels (payload: Channel; see `as_channel`).
    create_channel,
    update_channel,
    delete_channel,
    // Memberships (payload: ChannelMembership, or BatchChannelMemberships for the batch).
    batch_create_channel_membership,
    create_channel_membership,
    update_channel_membership,
    delete_channel_membership,
    /// A frame whose event type this library does not know (the envelope is kept as it came), or a frame
    /// that is not a JSON envelope at all (then `event_type()` is empty and `payload()` is the raw text).
    unknown,
};

/// The name of a kind: the event type for frames ("CREATE_CHANNEL_MESSAGE"), lower case for lifecycle kinds.
std::string_view to_string(event_kind k) noexcept;

/// A CHANNEL_DETAILS payload (prefetch): one channel with its latest messages and some members.
struct channel_details {
    channel_summary channel;
    std::vector<channel_message_summary> messages;
    std::vector<channel_membership_summary> memberships;
    std::optional<std::chrono::system_clock::time_point> read_marker_timestamp;
    bool messages_have_more = false;
};

namespace detail {
struct session_event_factory;
}

/// One event of a session: a frame's envelope with its payload decoded on demand, or a lifecycle change.
class session_event {
public:
    session_event() = default;

    event_kind kind() const noexcept { return kind_; }
    bool is_lifecycle() const noexcept { return kind_ <= event_kind::stopped; }
    bool is_stopped() const noexcept { return kind_ == event_kind::stopped; }

    /// `x-amz-chime-event-type` as sent (empty for lifecycle events and frames that are not envelopes).
    const std::string& event_type() const noexcept { return event_type_; }
    /// `x-amz-chime-message-type` (STANDARD, CONTROL, SYSTEM), empty when absent.
    std::string_view message_type() const noexcept { return header("x-amz-chime-message-type").value_or(""); }
    /// Every header of the frame, as sent.
    const std::vector<std::pair<std::string, std::string>>& headers() const noexcept { return headers_; }
    std::optional<std::string_view> header(std::string_view name) const noexcept;
    /// The payload: a JSON document as text, not yet decoded. Empty when the frame had none.
    const std::optional<std::string>& payload() const noexcept { return payload_; }
    /// True for a message delivered by catch-up (listed over REST after a reconnect), not by the websocket.
    bool replayed() const noexcept { return replayed_; }

    /// The payload decoded. ISO-8601 and epoch-seconds timestamps are both accepted. Fails with
    /// errc::bad_response naming the member when the payload does not fit, or when the event does not
    /// carry that shape.
    result<channel_message> as_message() const;
    result<channel> as_channel() const;
    result<channel_membership> as_membership() const;
    result<batch_channel_memberships> as_batch_membership() const;
    result<channel_details> as_channel_details() const;

    /// Lifecycle events: the attempt number (1 = the first since the last SESSION_ESTABLISHED).
    int attempt() const noexcept { return attempt_; }
    /// `stopped` and `reconnecting`: the websocket close code that ended the previous connection (1006 for
    /// local failures, 4999 for a failed endpoint lookup), 0 when there was none.
    int close_code() const noexcept { return close_code_; }
    const std::string& reason() const noexcept { return reason_; }
    /// `stopped` (unless stopped by the application after it was established, or the service closed with
    /// 1000) and `catch_up_failed`: what went wrong.
    const std::optional<chime::error>& error() const noexcept { return error_; }

    /// An event from a frame's text, as the session makes them (never fails; see `event_kind::unknown`).
    /// For tests and for users of other websocket libraries.
    static session_event from_frame(std::string_view text);

private:
    friend struct detail::session_event_factory; // lifecycle and replayed events are the session's to make

    event_kind kind_ = event_kind::unknown;
    bool replayed_ = false;
    int attempt_ = 0;
    int close_code_ = 0;
    std::string event_type_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::optional<std::string> payload_;
    std::string reason_;
    std::optional<chime::error> error_;
};

struct session_options {
    std::string app_instance_user_arn; ///< required: the AppInstanceUser the session is for (`userArn`)
    std::string session_id;            ///< empty: a random UUID, kept for every reconnect (`sessionId`)
    bool prefetch_on_connect = false;  ///< `prefetch-on=connect`: CHANNEL_DETAILS after each SESSION_ESTABLISHED
    std::string prefetch_sort_by;      ///< `unread` or `last-message-timestamp`; empty: not sent

    std::chrono::milliseconds start_timeout = 30s;   ///< `start()` fails with errc::session_start_timeout after it
    std::chrono::milliseconds connect_timeout = 10s; ///< one attempt: endpoint lookup to SESSION_ESTABLISHED

    std::chrono::milliseconds reconnect_base = 1s;    ///< full-jitter backoff base
    std::chrono::milliseconds reconnect_cap = 5s;     ///< ... and cap
    std::chrono::milliseconds reconnect_budget = 10s; ///< give up when reconnecting has failed this long
    std::optional<int> max_reconnect_attempts;        ///< and/or after this many attempts

    std::chrono::milliseconds ping_interval = 30s; ///< a client ping this often; 0 = none (server pings are always answered)
    std::chrono::milliseconds pong_timeout = 10s;  ///< no pong within this: the connection is dead (1006), reconnect

    std::size_t max_frame_size = 4 * 1024 * 1024; ///< larger frames end the connection (1009)
    /// Events buffered for a slow consumer; beyond this the session stops reading the socket until the
    /// consumer catches up (nothing is dropped; a long stall may let the server time the socket out).
    std::size_t max_buffered_events = 65536;

    /// Gap fill after a reconnect: for these channels the session lists the messages created since the
    /// last one it delivered (ListChannelMessages with NotBefore, as the session's user) and delivers them,
    /// marked `replayed`, before the live events of the new connection, without duplicates. More with
    /// `session::catch_up`. Only created messages are filled: edits and deletions made while disconnected
    /// are not replayed.
    std::vector<std::string> catch_up_channels;
    std::int32_t catch_up_page_size = 50; ///< MaxResults of the gap-fill listing
};

/// Counters of one session.
struct session_stats {
    std::uint64_t attempts = 0;      ///< connection attempts
    std::uint64_t established = 0;   ///< SESSION_ESTABLISHED received
    std::uint64_t frames = 0;        ///< frames received
    std::uint64_t replayed = 0;      ///< messages delivered by catch-up
    std::uint64_t duplicates_skipped = 0; ///< live or listed messages not delivered twice
    std::uint64_t pings_sent = 0;
};

class session {
public:
    /// @throws chime::exception (errc::invalid_config_value) naming the option that is wrong.
    session(boost::asio::any_io_executor ex, client api, session_options options);
    /// Stops the session (without waiting); the event stream then ends with its `stopped` event.
    ~session();
    session(session&&) noexcept;
    session& operator=(session&&) noexcept;

    /// Connects, and completes when SESSION_ESTABLISHED arrives. Fails with the terminal close (errc::
    /// session_closed, the code and reason in the message), errc::session_reconnect_exhausted,
    /// errc::session_start_timeout (the session is then stopped) or errc::session_stopped. When it was
    /// already established, completes at once. The events of the attempts are in the stream either way.
    boost::asio::awaitable<void> start();
    boost::asio::awaitable<result<void>> start(no_throw_t);

    /// The events, lifecycle included, ending after `stopped`. One consumer at a time.
    async_generator<session_event> events();

    /// Stops: cancels a pending backoff, endpoint lookup or catch-up, closes the socket with 1000 (waiting
    /// at most a second for the server's answer), and completes when the `stopped` event is queued.
    boost::asio::awaitable<void> stop();

    /// Adds a channel to catch-up (from the next reconnect on).
    void catch_up(std::string channel_arn);

    const std::string& session_id() const noexcept;
    bool is_established() const noexcept;
    session_stats stats() const noexcept;

    struct state;

private:
    std::shared_ptr<state> st_;
};

/// The presigned `/connect` target (path and query) of a messaging session, as the session sends it, for
/// tests and for users of other websocket libraries. `host` is the endpoint's host (with `:port` when not
/// the scheme's default), signed as the `host` header.
struct connect_params {
    std::string_view host;
    std::string_view region;
    std::string_view user_arn;
    std::string_view session_id;
    bool prefetch_on_connect = false;
    std::string_view prefetch_sort_by;
    std::string_view amzn_version;    ///< `X-Amzn-Version` (the JS SDK's telemetry); empty: not sent
    std::string_view amzn_user_agent; ///< `X-Amzn-User-Agent`; empty: not sent
    std::chrono::system_clock::time_point time;
};
std::string presign_connect_target(const connect_params& p, const auth::credentials& creds);

} // namespace chime::messaging
