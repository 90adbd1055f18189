#pragma once
// The messaging-session hub: which websocket sessions belong to which AppInstanceUser, and the fan-out of
// events to them. Sessions register on SESSION_ESTABLISHED and leave when they close.

#include "chime-local/state.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace chime::local {

/// One connected session, as the hub sees it. `send` queues a text frame (any thread); `drop` closes the
/// connection at once, without a close frame (a network failure, as clients see it).
struct ws_sink {
    virtual ~ws_sink() = default;
    virtual void send(std::string frame) = 0;
    virtual void drop() = 0;
    /// Sends a close frame with `code` and `reason`, then ends the session.
    virtual void close(int code, std::string reason) = 0;
};

class hub {
public:
    void join(const std::string& user_arn, std::shared_ptr<ws_sink> s);
    void leave(const std::string& user_arn, const ws_sink* s);

    /// Queues each event on every session of each of its recipients.
    void publish(const std::vector<session_event>& events);

    /// Drops every session (of one user when `user_arn` is not empty); returns how many.
    std::size_t drop(const std::string& user_arn = {});
    /// Closes every session (of one user when `user_arn` is not empty) with a close frame; returns how many.
    std::size_t close(int code, const std::string& reason, const std::string& user_arn = {});

    std::size_t open() const { return open_; }
    std::uint64_t events_sent() const { return events_sent_; }

    /// A frame as the service writes it: {"Headers":{...},"Payload":"<payload JSON as a string>"}.
    static std::string frame(std::string_view event_type, std::string_view message_type, std::string_view payload);

private:
    std::vector<std::shared_ptr<ws_sink>> sessions_of(const std::string& user_arn) const;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<std::shared_ptr<ws_sink>>> sessions_;
    std::atomic<std::uint64_t> events_sent_{0};
    std::atomic<std::size_t> open_{0};
};

} // namespace chime::local
