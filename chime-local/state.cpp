#include "chime-local/state.hpp"

#include <chime/messaging/model_json.hpp>

#include <boost/json/serialize.hpp>

#include <openssl/rand.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace chime::local {
namespace json = boost::json;

store::store(std::string account)
    : account_id(std::move(account)) {
    register_identity(*this);
    register_identity_extras(*this);
    register_channels(*this);
    register_messages(*this);
    register_channel_settings(*this);
    register_classic(*this);
    register_meetings(*this);
}

void store::register_handler(std::string_view operation, handler h) { handlers_[operation] = std::move(h); }

std::vector<std::string_view> store::implemented() const {
    std::vector<std::string_view> out;
    for (const auto& [name, _] : handlers_)
        out.push_back(name);
    return out;
}

json::value store::handle(call& c) {
    const auto it = handlers_.find(c.operation);
    if (it == handlers_.end())
        throw api_error(501, "NotImplementedException",
                        "chime-local does not implement " + std::string(c.operation) + " yet");
    // A repeated ClientRequestToken with the same input returns the original result, without doing the
    // work again (and without a second event); with another input it is a conflict.
    std::string key;
    std::size_t input_hash = 0;
    if (const auto* obj = c.input.if_object())
        if (const auto* token = obj->if_contains("ClientRequestToken"); token && token->is_string()) {
            key.reserve(c.operation.size() + 1 + token->get_string().size());
            key.append(c.operation).append(1, '\n').append(token->get_string());
            input_hash = std::hash<json::value>{}(c.input); // members in any order hash alike, as they compare
            if (const auto prev = idempotency_.find(key); prev != idempotency_.end()) {
                if (prev->second.input_hash != input_hash)
                    throw conflict("ClientRequestToken " + std::string(token->get_string()) +
                                   " was already used with different parameters");
                return prev->second.output;
            }
        }
    json::value out = it->second(*this, c);
    if (!key.empty())
        idempotency_.insert_or_assign(std::move(key), idempotent_result{input_hash, out});
    return out;
}

std::string store::new_id() {
    // "%08x-0000-4000-8000-%012x" of the counter's high and low bits, without printf's cost per message.
    const std::uint64_t n = next_id++;
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "00000000-0000-4000-8000-000000000000";
    std::uint64_t hi = n >> 16, lo = n & 0xffffffffffffULL;
    for (std::size_t i = 0; i < 12; ++i, lo >>= 4)
        out[35 - i] = digits[lo & 15];
    for (std::size_t i = 0; i < 8; ++i, hi >>= 4)
        out[7 - i] = digits[hi & 15];
    return out;
}

namespace {

// xoshiro256** (Blackman and Vigna), one per thread, seeded from OpenSSL's generator: ids that are unique and
// unpredictable enough for an emulator at a fraction of RAND_bytes's cost per call.
class fast_random {
public:
    fast_random() {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(s_), sizeof s_) != 1)
            throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    std::uint64_t operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

} // namespace

std::string store::uuid_v4() {
    thread_local fast_random next;
    std::uint64_t words[2] = {next(), next()};
    unsigned char b[16];
    std::memcpy(b, words, sizeof b);
    b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(36, '-');
    std::size_t pos = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            ++pos; // the dash already there
        out[pos++] = digits[b[i] >> 4];
        out[pos++] = digits[b[i] & 15];
    }
    return out;
}

const user_record& store::user(const std::string& arn, std::string_view what) const {
    const auto it = users.find(arn);
    if (it == users.end())
        throw forbidden(std::string(what) + " " + arn + " is not an AppInstanceUser of this account");
    return it->second;
}

app_instance_record& store::app_instance(const std::string& arn) {
    const auto it = app_instances.find(arn);
    if (it == app_instances.end())
        throw not_found("AppInstance " + arn + " does not exist");
    return it->second;
}

user_record& store::app_instance_user(const std::string& arn) {
    const auto it = users.find(arn);
    if (it == users.end())
        throw not_found("AppInstanceUser " + arn + " does not exist");
    return it->second;
}

channel_record& store::channel(const std::string& arn) {
    const auto it = channels.find(arn);
    if (it == channels.end())
        throw not_found("Channel " + arn + " does not exist");
    return it->second;
}

void require(const std::string& value, std::string_view member) {
    if (value.empty())
        throw bad_request(std::string(member) + " is required and must not be empty");
}

namespace {

std::string hex(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char ch : s) {
        out += digits[ch >> 4];
        out += digits[ch & 15];
    }
    return out;
}

std::optional<std::string> unhex(std::string_view s) {
    if (s.size() % 2)
        return std::nullopt;
    auto nibble = [](char ch) -> int {
        return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

} // namespace

page_request page_of(const call& c, const std::optional<std::int32_t>& max_results,
                     const std::optional<std::string>& next_token, std::size_t fallback, std::size_t max) {
    page_request p;
    p.limit = fallback;
    if (max_results) {
        if (*max_results < 1 || static_cast<std::size_t>(*max_results) > max)
            throw bad_request("MaxResults must be between 1 and " + std::to_string(max) + "; it is " +
                              std::to_string(*max_results));
        p.limit = static_cast<std::size_t>(*max_results);
    }
    if (next_token) {
        // Opaque to clients; here: the operation and the offset, so a token is only good for its listing.
        const auto text = unhex(*next_token);
        const std::string prefix = std::string(c.operation) + ':';
        if (!text || !text->starts_with(prefix))
            throw bad_request("Invalid NextToken");
        try {
            p.offset = std::stoul(text->substr(prefix.size()));
        } catch (const std::exception&) {
            throw bad_request("Invalid NextToken");
        }
    }
    return p;
}

std::optional<std::string> next_token_after(const call& c, const page_request& p, std::size_t total) {
    if (p.offset + p.limit >= total)
        return std::nullopt;
    return position_token(c, p.offset + p.limit);
}

std::string position_token(const call& c, std::size_t position) {
    return hex(std::string(c.operation) + ':' + std::to_string(position));
}

std::string make_arn(const store& s, const call& c, std::string_view kind_and_id) {
    return "arn:aws:chime:" + c.region + ":" + s.account_id + ":" + std::string(kind_and_id);
}

messaging::identity identity_of(const store& s, const std::string& arn) {
    messaging::identity id;
    id.arn = arn;
    if (const auto it = s.users.find(arn); it != s.users.end())
        id.name = it->second.name;
    return id;
}

std::string serialize_json(const json::value& v) { return json::serialize(v); }

} // namespace chime::local
