#include "chime-local/hub.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace chime::local {
namespace json = boost::json;

void hub::join(const std::string& user_arn, std::shared_ptr<ws_sink> s) {
    std::lock_guard lock(mutex_);
    sessions_[user_arn].push_back(std::move(s));
    ++open_;
}

void hub::leave(const std::string& user_arn, const ws_sink* s) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(user_arn);
    if (it == sessions_.end())
        return;
    open_ -= std::erase_if(it->second, [&](const auto& p) { return p.get() == s; });
    if (it->second.empty())
        sessions_.erase(it);
}

void hub::publish(const std::vector<session_event>& events) {
    for (const auto& e : events) {
        const std::string text = frame(e.event_type, e.message_type, e.payload);
        std::vector<std::shared_ptr<ws_sink>> targets;
        {
            std::lock_guard lock(mutex_);
            for (const auto& user : e.recipients)
                if (const auto it = sessions_.find(user); it != sessions_.end())
                    targets.insert(targets.end(), it->second.begin(), it->second.end());
        }
        for (const auto& t : targets)
            t->send(text);
        events_sent_ += targets.size();
    }
}

std::vector<std::shared_ptr<ws_sink>> hub::sessions_of(const std::string& user_arn) const {
    std::vector<std::shared_ptr<ws_sink>> targets;
    std::lock_guard lock(mutex_);
    for (const auto& [user, list] : sessions_)
        if (user_arn.empty() || user == user_arn)
            targets.insert(targets.end(), list.begin(), list.end());
    return targets;
}

std::size_t hub::drop(const std::string& user_arn) {
    const auto targets = sessions_of(user_arn);
    for (const auto& t : targets)
        t->drop();
    return targets.size();
}

std::size_t hub::close(int code, const std::string& reason, const std::string& user_arn) {
    const auto targets = sessions_of(user_arn);
    for (const auto& t : targets)
        t->close(code, reason);
    return targets.size();
}

std::string hub::frame(std::string_view event_type, std::string_view message_type, std::string_view payload) {
    json::object headers{{"x-amz-chime-event-type", event_type}, {"x-amz-chime-message-type", message_type}};
    json::object f{{"Headers", std::move(headers)}};
    if (!payload.empty())
        f["Payload"] = payload;
    return json::serialize(f);
}

} // namespace chime::local
