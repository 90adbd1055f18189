#pragma once
/// @file
/// AWS Signature Version 4: header signing and presigned (query-string) signing.
///
/// The signer works on a neutral view of a request, exactly as it goes on the wire, so it knows
/// nothing about HTTP connections. It takes the signing time as a parameter: tests pass a fixed clock.
/// For every service except S3 the canonical URI is the normalized wire path URI-encoded once more
/// (an ARN label on the wire as `arn%3Aaws%3A...` is signed as `arn%253Aaws%253A...`).

#include <chime/auth/credentials.hpp>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace chime::auth {

/// One header as given to the signer. Names are case-insensitive; repeated names are joined with `,`.
struct header_field {
    std::string_view name;
    std::string_view value;
};

/// A request as the signer sees it. Every string is the on-the-wire form.
struct signable_request {
    std::string_view method = "GET";
    std::string_view path = "/";           ///< percent-encoded path, without the query
    std::string_view query;                ///< percent-encoded query without `?`; may be empty
    std::span<const header_field> headers; ///< must contain `host`; not X-Amz-Date nor X-Amz-Security-Token
    std::string_view payload_hash; ///< hex SHA-256 of the body or `UNSIGNED-PAYLOAD`; empty = SHA-256("")
};

/// Where a session token goes.
enum class session_token_placement {
    signed_in,   ///< X-Amz-Security-Token is part of the signature (AWS's default, and Chime's)
    added_after, ///< added after signing, outside the signature (a few services, e.g. IoT presigned URLs)
};

/// What to sign with. `region`, `service` and `time` are required.
struct signing_params {
    std::string_view region;
    std::string_view service;
    std::chrono::system_clock::time_point time;
    session_token_placement token_placement = session_token_placement::signed_in;
    bool normalize_path = true;        ///< remove `.`/`..` and empty segments (false only for S3)
    bool double_encode_path = true;    ///< URI-encode the wire path again (false only for S3)
    bool add_content_sha256 = false;   ///< also send and sign `x-amz-content-sha256`
    std::chrono::seconds expires{900}; ///< presigned URLs only: X-Amz-Expires, 1 s to 7 days
};

/// The result of header signing. Send `X-Amz-Date: amz_date`, `X-Amz-Security-Token` (the
/// credentials' session token, when there is one), `x-amz-content-sha256: content_sha256` when it was
/// requested, and `Authorization: authorization`.
struct header_signature {
    std::string amz_date;
    std::string content_sha256;
    std::string authorization;
    std::string signature;         ///< lowercase hex
    std::string canonical_request; ///< for debugging; contains no secret
    std::string string_to_sign;
};

/// The result of presigning: `query` is the whole query string to send (without `?`), the caller's
/// parameters and the X-Amz-* ones in canonical order, then `X-Amz-Signature`.
struct presigned_query {
    std::string query;
    std::string amz_date;
    std::string signature;
    std::string canonical_request;
    std::string string_to_sign;
};

/// Lowercase hex SHA-256 of `payload`, as SigV4 and `x-amz-content-sha256` want it.
std::string payload_hash(std::string_view payload);

/// `YYYYMMDDTHHMMSSZ` for `t`, in UTC.
std::string format_amz_date(std::chrono::system_clock::time_point t);

/// Signs requests. Caches derived signing keys per (credentials, date, region, service).
///
/// Thread safety: `sign` and `presign` may be called concurrently on one signer.
class signer {
public:
    signer();
    ~signer();
    signer(signer&&) noexcept;
    signer& operator=(signer&&) noexcept;

    /// Signs with the Authorization header.
    /// @throws std::invalid_argument when the request lacks `host`, already carries X-Amz-Date or
    ///         X-Amz-Security-Token, or the parameters miss region or service.
    header_signature sign(const signable_request& req, const credentials& creds,
                          const signing_params& params) const;

    /// Signs into the query string (a presigned URL).
    /// @throws std::invalid_argument as `sign`, and when `params.expires` is outside 1 s to 7 days.
    presigned_query presign(const signable_request& req, const credentials& creds,
                            const signing_params& params) const;

private:
    struct key_cache;
    std::unique_ptr<key_cache> cache_;
};

} // namespace chime::auth
