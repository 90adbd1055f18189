#include <chime/auth/credentials.hpp>

#include <ostream>

namespace chime::auth {

std::string to_string(const credentials& c) {
    using namespace std::chrono;
    std::string s = "credentials{access_key_id=" + c.access_key_id;
    s += ", secret_access_key=";
    s += c.secret_access_key.empty() ? "<empty>" : "<redacted>";
    s += ", session_token=";
    s += c.session_token.empty() ? "<none>" : "<redacted>";
    if (c.expiration) {
        s += ", expires_unix=" +
             std::to_string(duration_cast<seconds>(c.expiration->time_since_epoch()).count());
    }
    if (!c.source.empty())
        s += ", source=" + c.source;
    s += '}';
    return s;
}

std::ostream& operator<<(std::ostream& os, const credentials& c) {
    return os << to_string(c);
}

} // namespace chime::auth
