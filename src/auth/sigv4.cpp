#include "auth/crypto.hpp"
#include "util/bytes.hpp"

#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/container/small_vector.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace chime::auth {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Header values are trimmed and every run of white space (folded lines included) becomes one space. The
// usual value (an ARN, a date, a hash) has no byte at or below ' ', so no white space, and goes in as it is.
void append_canonical_value(std::string& out, std::string_view v) {
    if (!detail::any_byte_below(v, ' ' + 1)) {
        out.append(v);
        return;
    }
    while (!v.empty() && is_space(v.front()))
        v.remove_prefix(1);
    while (!v.empty() && is_space(v.back()))
        v.remove_suffix(1);
    std::size_t run = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!is_space(v[i]))
            continue;
        if (v[i] == ' ' && !is_space(v[i + 1])) // a single plain space stays (v does not end in space)
            continue;
        out.append(v.data() + run, i - run);
        out.push_back(' ');
        while (is_space(v[i + 1]))
            ++i;
        run = i + 1;
    }
    out.append(v.data() + run, v.size() - run);
}

// Hop-by-hop and proxy-rewritten headers: signing them would break the signature in transit.
bool is_unsignable(std::string_view lname) noexcept {
    static constexpr std::array names{
        "authorization"sv, "cache-control"sv,     "connection"sv, "expect"sv,     "from"sv,
        "keep-alive"sv,    "max-forwards"sv,      "pragma"sv,     "referer"sv,    "te"sv,
        "trailer"sv,       "transfer-encoding"sv, "upgrade"sv,    "user-agent"sv, "x-amzn-trace-id"sv};
    return std::find(names.begin(), names.end(), lname) != names.end() || lname.starts_with("proxy-") ||
           lname.starts_with("sec-");
}

struct canonical_header {
    std::string_view name;  // lowercase
    std::string_view value; // raw; canonicalized when appended
};

// The headers to sign, lowercased and sorted by name (stable: repeated names keep their order). Held in
// small inline buffers, so signing an ordinary request allocates nothing for them.
class canonical_headers {
public:
    canonical_headers(std::span<const header_field> headers, std::span<const canonical_header> added) {
        // Lowercased names live in one buffer reserved up front, so the views into it stay valid.
        std::size_t name_bytes = 0;
        for (const auto& h : headers)
            name_bytes += h.name.size();
        names_.reserve(name_bytes);
        all_.reserve(headers.size() + added.size());
        bool has_host = false;
        for (const auto& h : headers) {
            const std::size_t at = names_.size();
            for (char c : h.name)
                names_.push_back(ascii_lower(c));
            const std::string_view lname(names_.data() + at, h.name.size());
            if (lname == "x-amz-date" || lname == "x-amz-security-token")
                throw std::invalid_argument("SigV4: the request must not carry " + std::string(h.name) +
                                            "; the signer adds it");
            if (is_unsignable(lname))
                continue;
            has_host = has_host || lname == "host";
            all_.push_back({lname, h.value});
        }
        if (!has_host)
            throw std::invalid_argument("SigV4: the request has no Host header");
        all_.insert(all_.end(), added.begin(), added.end());
        std::stable_sort(all_.begin(), all_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    // all_ views names_, which may sit inline: a copy or a move would leave the views behind.
    canonical_headers(const canonical_headers&) = delete;
    canonical_headers& operator=(const canonical_headers&) = delete;

    /// "name:value\n" per distinct name, the values of a repeated name joined by commas.
    void append_block(std::string& out) const {
        for (std::size_t i = 0; i < all_.size();) {
            const std::string_view name = all_[i].name;
            out.append(name).push_back(':');
            append_canonical_value(out, all_[i].value);
            std::size_t j = i + 1;
            for (; j < all_.size() && all_[j].name == name; ++j) {
                out.push_back(',');
                append_canonical_value(out, all_[j].value);
            }
            out.push_back('\n');
            i = j;
        }
    }

    /// "a;b;c": the distinct names.
    void append_signed(std::string& out) const {
        for (std::size_t i = 0; i < all_.size(); ++i) {
            if (i > 0 && all_[i].name == all_[i - 1].name)
                continue;
            if (i > 0)
                out.push_back(';');
            out.append(all_[i].name);
        }
    }

    /// Bytes that append_block and append_signed may write, before value canonicalization shrinks them.
    std::size_t size_hint() const noexcept {
        std::size_t n = 0;
        for (const auto& h : all_)
            n += 2 * h.name.size() + h.value.size() + 3;
        return n;
    }

private:
    boost::container::small_vector<char, 256> names_;
    boost::container::small_vector<canonical_header, 12> all_;
};

// Whether removing empty, "." and ".." segments would change the path (a leading and a trailing slash
// stay). Client paths almost never need it, so the common case copies nothing.
bool needs_normalizing(std::string_view path) noexcept {
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const std::size_t slash = std::min(path.find('/', pos), path.size());
        const std::string_view seg = path.substr(pos, slash - pos);
        const bool edge = pos == 0 || slash == path.size(); // before a leading / or after a trailing one
        if (seg == "." || seg == ".." || (seg.empty() && !edge))
            return true;
        pos = slash + 1;
    }
    return false;
}

// Non-S3 services: remove empty, "." and ".." segments, then encode the wire path once more.
void append_canonical_uri(std::string& out, std::string_view path, const signing_params& p) {
    if (path.empty())
        path = "/";
    std::string normalized;
    if (p.normalize_path && needs_normalizing(path)) {
        std::vector<std::string_view> segments;
        std::size_t pos = 0;
        while (pos <= path.size()) {
            const std::size_t slash = std::min(path.find('/', pos), path.size());
            const std::string_view seg = path.substr(pos, slash - pos);
            if (seg == "..") {
                if (!segments.empty())
                    segments.pop_back();
            } else if (!seg.empty() && seg != ".") {
                segments.push_back(seg);
            }
            pos = slash + 1;
        }
        if (path.front() == '/')
            normalized += '/';
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (i)
                normalized += '/';
            normalized += segments[i];
        }
        if (!segments.empty() && path.back() == '/')
            normalized += '/';
        if (normalized.empty())
            normalized = "/";
        path = normalized;
    }
    if (p.double_encode_path)
        append_uri_encoded(out, path, /*keep_slash=*/true);
    else
        out += path;
}

struct query_param {
    std::string key; // encoded
    std::string value;
};

// Decoded, then strictly re-encoded; pieces that are already canonical are copied as they are.
std::string canonical_query_part(std::string_view s) {
    if (std::all_of(s.begin(), s.end(), is_uri_unreserved))
        return std::string(s);
    return uri_encode(uri_decode(s));
}

void parse_wire_query(std::string_view q, std::vector<query_param>& out) {
    std::size_t pos = 0;
    while (pos < q.size()) {
        std::size_t amp = q.find('&', pos);
        if (amp == std::string_view::npos)
            amp = q.size();
        const std::string_view piece = q.substr(pos, amp - pos);
        pos = amp + 1;
        if (piece.empty())
            continue;
        const std::size_t eq = piece.find('=');
        const std::string_view k = piece.substr(0, eq);
        const std::string_view v = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
        out.push_back({canonical_query_part(k), canonical_query_part(v)});
    }
}

std::string join_sorted_query(std::vector<query_param>& params) {
    std::sort(params.begin(), params.end(), [](const auto& a, const auto& b) {
        return a.key != b.key ? a.key < b.key : a.value < b.value;
    });
    std::string out;
    for (const auto& p : params) {
        if (!out.empty())
            out += '&';
        out += p.key;
        out += '=';
        out += p.value;
    }
    return out;
}

void validate(const signing_params& p, const credentials& c) {
    if (p.region.empty())
        throw std::invalid_argument("SigV4: signing region is empty");
    if (p.service.empty())
        throw std::invalid_argument("SigV4: signing service name is empty");
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw std::invalid_argument("SigV4: credentials lack an access key id or secret access key");
}

std::string make_scope(std::string_view date, const signing_params& p) {
    std::string s;
    s.reserve(date.size() + p.region.size() + p.service.size() + 16);
    s.append(date).append("/").append(p.region).append("/").append(p.service).append("/aws4_request");
    return s;
}

std::string make_canonical_request(std::string_view method, const std::string& uri, const std::string& query,
                                   const canonical_headers& headers, std::string_view payload_hash) {
    std::string cr;
    cr.reserve(method.size() + uri.size() + query.size() + headers.size_hint() + payload_hash.size() + 8);
    cr.append(method).append("\n").append(uri).append("\n").append(query).append("\n");
    headers.append_block(cr);
    cr.append("\n");
    headers.append_signed(cr);
    cr.append("\n").append(payload_hash);
    return cr;
}

std::string make_string_to_sign(std::string_view amz_date, std::string_view scope,
                                std::string_view canonical) {
    std::string sts;
    sts.reserve(algorithm.size() + amz_date.size() + scope.size() + 64 + 3);
    sts.append(algorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
    detail::append_hex(sts, detail::sha256(canonical));
    return sts;
}

} // namespace

struct signer::key_cache {
    struct entry {
        std::string access_key_id, secret, date, region, service;
        detail::hmac_sha256_key key; ///< the derived signing key, its HMAC blocks hashed once
    };
    std::mutex mutex;
    std::array<entry, 8> entries;
    std::size_t next = 0;

    detail::hmac_sha256_key get(const credentials& c, std::string_view date, const signing_params& p) {
        std::lock_guard lock(mutex);
        for (const auto& e : entries) {
            if (e.date == date && e.region == p.region && e.service == p.service &&
                e.access_key_id == c.access_key_id && e.secret == c.secret_access_key)
                return e.key;
        }
        const std::string k0 = "AWS4" + c.secret_access_key;
        auto as_bytes = [](std::string_view s) {
            return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
        };
        auto k = detail::hmac_sha256(as_bytes(k0), date);
        k = detail::hmac_sha256(k, p.region);
        k = detail::hmac_sha256(k, p.service);
        k = detail::hmac_sha256(k, "aws4_request");
        entry& e = entries[next];
        next = (next + 1) % entries.size();
        e = entry{c.access_key_id,       c.secret_access_key,    std::string(date),
                  std::string(p.region), std::string(p.service), detail::hmac_sha256_key(k)};
        OPENSSL_cleanse(k.data(), k.size());
        return e.key;
    }
};

signer::signer()
    : cache_(std::make_unique<key_cache>()) {}
signer::~signer() = default;
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;

std::string payload_hash(std::string_view payload) {
    if (payload.empty())
        return std::string(empty_payload_sha256);
    return detail::to_hex(detail::sha256(payload));
}

std::string format_amz_date(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<seconds>(t - day)};
    std::string out(16, '0');
    auto put = [&](std::size_t at, unsigned v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10)
            out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
    };
    put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
    put(4, static_cast<unsigned>(ymd.month()), 2);
    put(6, static_cast<unsigned>(ymd.day()), 2);
    out[8] = 'T';
    put(9, static_cast<unsigned>(hms.hours().count()), 2);
    put(11, static_cast<unsigned>(hms.minutes().count()), 2);
    put(13, static_cast<unsigned>(hms.seconds().count()), 2);
    out[15] = 'Z';
    return out;
}

header_signature signer::sign(const signable_request& req, const credentials& creds,
                              const signing_params& params) const {
    validate(params, creds);
    header_signature out;
    out.amz_date = format_amz_date(params.time);
    const std::string_view date = std::string_view(out.amz_date).substr(0, 8);
    const std::string_view body_hash = req.payload_hash.empty() ? empty_payload_sha256 : req.payload_hash;

    std::array<canonical_header, 3> added;
    std::size_t n_added = 0;
    added[n_added++] = {"x-amz-date", out.amz_date};
    if (!creds.session_token.empty() && params.token_placement == session_token_placement::signed_in)
        added[n_added++] = {"x-amz-security-token", creds.session_token};
    if (params.add_content_sha256) {
        out.content_sha256 = std::string(body_hash);
        added[n_added++] = {"x-amz-content-sha256", out.content_sha256};
    }
    const canonical_headers headers(req.headers, std::span(added).first(n_added));

    std::string uri;
    append_canonical_uri(uri, req.path, params);
    std::vector<query_param> query;
    parse_wire_query(req.query, query);

    const std::string scope = make_scope(date, params);
    out.canonical_request = make_canonical_request(req.method, uri, join_sorted_query(query), headers, body_hash);
    out.string_to_sign = make_string_to_sign(out.amz_date, scope, out.canonical_request);
    out.signature = detail::to_hex(cache_->get(creds, date, params).mac(out.string_to_sign));

    out.authorization.reserve(160 + headers.size_hint());
    out.authorization.append(algorithm)
        .append(" Credential=")
        .append(creds.access_key_id)
        .append("/")
        .append(scope)
        .append(", SignedHeaders=");
    headers.append_signed(out.authorization);
    out.authorization.append(", Signature=").append(out.signature);
    return out;
}

presigned_query signer::presign(const signable_request& req, const credentials& creds,
                                const signing_params& params) const {
    validate(params, creds);
    if (params.expires < std::chrono::seconds(1) || params.expires > std::chrono::seconds(604800))
        throw std::invalid_argument("SigV4: X-Amz-Expires must be between 1 and 604800 seconds, got " +
                                    std::to_string(params.expires.count()));
    presigned_query out;
    out.amz_date = format_amz_date(params.time);
    const std::string_view date = std::string_view(out.amz_date).substr(0, 8);
    const std::string_view body_hash = req.payload_hash.empty() ? empty_payload_sha256 : req.payload_hash;
    const canonical_headers headers(req.headers, {});
    std::string signed_names;
    headers.append_signed(signed_names);
    const std::string scope = make_scope(date, params);

    std::vector<query_param> query;
    parse_wire_query(req.query, query);
    query.push_back({"X-Amz-Algorithm", std::string(algorithm)});
    query.push_back({"X-Amz-Credential", uri_encode(creds.access_key_id + "/" + scope)});
    query.push_back({"X-Amz-Date", out.amz_date});
    query.push_back({"X-Amz-Expires", std::to_string(params.expires.count())});
    query.push_back({"X-Amz-SignedHeaders", uri_encode(signed_names)});
    const bool token_signed =
        !creds.session_token.empty() && params.token_placement == session_token_placement::signed_in;
    if (token_signed)
        query.push_back({"X-Amz-Security-Token", uri_encode(creds.session_token)});

    std::string uri;
    append_canonical_uri(uri, req.path, params);
    out.query = join_sorted_query(query);
    out.canonical_request = make_canonical_request(req.method, uri, out.query, headers, body_hash);
    out.string_to_sign = make_string_to_sign(out.amz_date, scope, out.canonical_request);
    out.signature = detail::to_hex(cache_->get(creds, date, params).mac(out.string_to_sign));

    out.query.append("&X-Amz-Signature=").append(out.signature);
    if (!creds.session_token.empty() && !token_signed)
        out.query.append("&X-Amz-Security-Token=").append(uri_encode(creds.session_token));
    return out;
}

} // namespace chime::auth
