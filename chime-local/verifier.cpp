#include "chime-local/verifier.hpp"

#include <chime/uri_encoding.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <vector>

namespace chime::local {
namespace {

constexpr auto max_skew = std::chrono::minutes(5);

auth_failure incomplete(std::string what) { return {"IncompleteSignatureException", std::move(what)}; }
auth_failure invalid(std::string what) { return {"InvalidSignatureException", std::move(what)}; }

// "20240102T030405Z" to a time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z')
        return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i])))
                return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(9, 2), mi = num(11, 2), se = num(13, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(unsigned(mo)), std::chrono::day(unsigned(d))};
    if (!ymd.ok())
        return std::nullopt;
    const std::chrono::sys_seconds t = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
                                       std::chrono::seconds(se);
    // system_clock counts nanoseconds from 1970 in a 64-bit integer: about the years 1678 to 2262.
    if (std::abs(static_cast<double>(t.time_since_epoch().count())) > 9.0e9)
        return std::nullopt; // e.g. the year 9999 would overflow it
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(t);
}

std::optional<auth_failure> check_time(std::chrono::system_clock::time_point signed_at,
                                       std::chrono::system_clock::time_point now, std::string_view amz_date) {
    if (signed_at > now + max_skew || signed_at < now - max_skew)
        return invalid("Signature expired: " + std::string(amz_date) + " is now earlier than " +
                       auth::format_amz_date(now - max_skew) + " (" + auth::format_amz_date(now) + " - 5 min.)");
    return std::nullopt;
}

// Views into the Credential text it was parsed from.
struct scope {
    std::string_view access_key, date, region, service;
};

// "AKID/20240102/us-east-1/chime/aws4_request"
std::optional<scope> parse_scope(std::string_view credential) {
    std::array<std::string_view, 5> parts;
    std::size_t count = 0, start = 0;
    for (std::size_t i = 0; i <= credential.size(); ++i)
        if (i == credential.size() || credential[i] == '/') {
            if (count == parts.size())
                return std::nullopt; // more than five parts
            parts[count++] = credential.substr(start, i - start);
            start = i + 1;
        }
    if (count != 5 || parts[4] != "aws4_request" || parts[0].empty())
        return std::nullopt;
    return scope{parts[0], parts[1], parts[2], parts[3]};
}

std::optional<auth_failure> check_scope(const scope& sc, std::string_view amz_date, const std::string& expected_key) {
    if (sc.access_key != expected_key)
        return auth_failure{"UnrecognizedClientException", "The security token included in the request is invalid."};
    if (sc.date != amz_date.substr(0, 8))
        return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                       std::string(sc.date) + "' != '" + std::string(amz_date.substr(0, 8)) + "'");
    if (sc.service != "chime")
        return invalid("Credential should be scoped to correct service: 'chime'.");
    return std::nullopt;
}

} // namespace

verifier::verifier(std::string access_key_id, std::string secret_access_key)
    : access_key_id_(std::move(access_key_id))
    , secret_(std::move(secret_access_key))
    , creds_{access_key_id_, secret_, "", {}, ""} {}

std::optional<auth_failure> verifier::check_header(std::string_view method, std::string_view target,
                                                   const http::request& req, std::chrono::system_clock::time_point now,
                                                   verified* out) const {
    const std::string_view authz = req.header_value("Authorization");
    if (authz.empty())
        return auth_failure{"MissingAuthenticationTokenException", "Missing Authentication Token"};
    constexpr std::string_view algorithm = "AWS4-HMAC-SHA256 ";
    if (!authz.starts_with(algorithm))
        return incomplete("Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
    std::string_view credential, signed_headers, signature;
    std::string_view rest = authz.substr(algorithm.size());
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            return incomplete("Authorization header element '" + std::string(item) + "' is not key=value.");
        const auto key = item.substr(0, eq);
        const auto value = item.substr(eq + 1);
        if (key == "Credential")
            credential = value;
        else if (key == "SignedHeaders")
            signed_headers = value;
        else if (key == "Signature")
            signature = value;
    }
    if (credential.empty() || signed_headers.empty() || signature.empty())
        return incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. "
                          "Authorization=" + std::string(authz.substr(0, 40)) + "...");
    const std::string_view amz_date = req.header_value("X-Amz-Date");
    if (amz_date.empty())
        return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    const auto signed_at = parse_amz_date(amz_date);
    if (!signed_at)
        return incomplete("X-Amz-Date '" + std::string(amz_date) + "' is not YYYYMMDD'T'HHMMSS'Z'.");
    const auto sc = parse_scope(credential);
    if (!sc)
        return incomplete("Credential '" + std::string(credential) + "' is not ACCESSKEY/DATE/REGION/SERVICE/aws4_request.");
    if (auto f = check_scope(*sc, amz_date, access_key_id_))
        return f;
    if (auto f = check_time(*signed_at, now, amz_date))
        return f;

    // The headers the client signed, as they arrived; the signer adds X-Amz-Date and the token itself.
    // (SignedHeaders is lowercase by definition; names on the wire may be in any case.)
    boost::container::small_vector<std::string_view, 16> signed_names; // split once, not per header
    for (std::string_view names = signed_headers; !names.empty();) {
        const auto semi = names.find(';');
        signed_names.push_back(names.substr(0, semi));
        names = semi == std::string_view::npos ? std::string_view{} : names.substr(semi + 1);
    }
    auto is_signed = [&](std::string_view name) {
        return std::ranges::any_of(signed_names, [&](std::string_view s) {
            return s.size() == name.size() && http::iequals(s, name); // (sizes first: no call)
        });
    };
    if (!is_signed("host"))
        return invalid("'Host' must be a signed header.");
    std::vector<auth::header_field> fields;
    fields.reserve(req.headers.size());
    bool date_signed = false;
    for (const auto& h : req.headers) {
        if (!is_signed(h.name))
            continue;
        if (http::iequals(h.name, "x-amz-date")) {
            date_signed = true;
            continue;
        }
        if (http::iequals(h.name, "x-amz-security-token"))
            continue;
        fields.push_back({h.name, h.value});
    }
    if (!date_signed)
        return invalid("'X-Amz-Date' must be a signed header.");
    const std::string_view declared_hash = req.header_value("x-amz-content-sha256");
    const std::string body_hash = auth::payload_hash(req.body);
    if (!declared_hash.empty() && declared_hash != body_hash && declared_hash != "UNSIGNED-PAYLOAD")
        return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");

    const auto q = target.find('?');
    const std::string_view token = req.header_value("X-Amz-Security-Token");
    std::optional<auth::credentials> with_token;
    if (!token.empty())
        with_token.emplace(auth::credentials{access_key_id_, secret_, std::string(token), {}, ""});
    auth::signing_params params{.region = sc->region, .service = sc->service, .time = *signed_at};
    auth::header_signature sig;
    try {
        sig = signer_.sign({.method = method,
                            .path = target.substr(0, q),
                            .query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                            .headers = fields,
                            .payload_hash = body_hash},
                           with_token ? *with_token : creds_, params);
    } catch (const std::invalid_argument& e) {
        return incomplete(e.what());
    }
    if (sig.signature != signature)
        return invalid("The request signature we calculated does not match the signature you provided. Check your "
                       "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    if (out)
        *out = {std::string(sc->access_key), std::string(sc->region)};
    return std::nullopt;
}

std::optional<auth_failure> verifier::check_presigned(std::string_view method, std::string_view target,
                                                      std::string_view host, std::chrono::system_clock::time_point now,
                                                      verified* out) const {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return auth_failure{"MissingAuthenticationTokenException", "Missing Authentication Token"};
    // Split the query: the X-Amz-* signing parameters, and the caller's own (kept as sent).
    std::string rest, algorithm, credential, amz_date, expires, signed_headers, signature, token;
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = item.find('=');
        const std::string key = uri_decode(item.substr(0, eq));
        const std::string value = eq == std::string_view::npos ? "" : uri_decode(item.substr(eq + 1));
        std::string* slot = key == "X-Amz-Algorithm"        ? &algorithm
                            : key == "X-Amz-Credential"     ? &credential
                            : key == "X-Amz-Date"           ? &amz_date
                            : key == "X-Amz-Expires"        ? &expires
                            : key == "X-Amz-SignedHeaders"  ? &signed_headers
                            : key == "X-Amz-Signature"      ? &signature
                            : key == "X-Amz-Security-Token" ? &token
                                                            : nullptr;
        if (slot) {
            *slot = value;
        } else {
            if (!rest.empty())
                rest += '&';
            rest += item;
        }
    }
    if (algorithm != "AWS4-HMAC-SHA256" || credential.empty() || amz_date.empty() || signature.empty() ||
        signed_headers.empty() || expires.empty())
        return incomplete("A presigned URL needs X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, X-Amz-Date, "
                          "X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.");
    if (signed_headers != "host")
        return invalid("This endpoint signs exactly one header, 'host'; X-Amz-SignedHeaders is '" + signed_headers + "'.");
    const auto signed_at = parse_amz_date(amz_date);
    if (!signed_at)
        return incomplete("X-Amz-Date '" + amz_date + "' is not YYYYMMDD'T'HHMMSS'Z'.");
    const auto sc = parse_scope(credential);
    if (!sc)
        return incomplete("X-Amz-Credential '" + credential + "' is not ACCESSKEY/DATE/REGION/SERVICE/aws4_request.");
    if (auto f = check_scope(*sc, amz_date, access_key_id_))
        return f;
    long secs = expires.empty() ? -1 : 0; // -1: not a number of seconds in range
    for (const char c : expires) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || secs >= 1'000'000) {
            secs = -1; // (found by fuzz_local_front_door: a digit after a bad character used to overflow)
            break;
        }
        secs = secs * 10 + (c - '0');
    }
    if (secs < 1 || secs > 604800)
        return invalid("X-Amz-Expires must be 1 to 604800 seconds; it is '" + expires + "'.");
    if (*signed_at > now + max_skew)
        return invalid("Signature not yet current: " + amz_date + " is still later than " + auth::format_amz_date(now + max_skew));
    if (now > *signed_at + std::chrono::seconds(secs) + max_skew)
        return invalid("Signature expired: " + amz_date + " + " + expires + " s is now earlier than " +
                       auth::format_amz_date(now - max_skew));

    const auth::header_field host_field{"host", host};
    const auth::credentials creds{access_key_id_, secret_, token, {}, ""};
    auth::signing_params params{.region = sc->region, .service = sc->service, .time = *signed_at};
    params.expires = std::chrono::seconds(secs);
    auth::presigned_query expected;
    try {
        expected = signer_.presign({.method = method,
                                    .path = target.substr(0, q),
                                    .query = rest,
                                    .headers = std::span(&host_field, 1),
                                    .payload_hash = {}},
                                   creds, params);
    } catch (const std::invalid_argument& e) {
        return incomplete(e.what());
    }
    if (expected.signature != signature)
        return invalid("The request signature we calculated does not match the signature you provided.");
    if (out)
        *out = {std::string(sc->access_key), std::string(sc->region)};
    return std::nullopt;
}

} // namespace chime::local
