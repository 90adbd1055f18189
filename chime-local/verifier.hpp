#pragma once
// SigV4 verification as AWS's front door does it, for header-signed requests and presigned URLs. It
// recomputes the signature with the library's signer (the one canonicalization both sides share) and
// answers with the error AWS would send.

#include <chime/auth/sigv4.hpp>
#include <chime/http/message.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace chime::local {

/// A failed verification: the AWS error code (HTTP 403) and its message.
struct auth_failure {
    std::string code; ///< UnrecognizedClientException, InvalidSignatureException, IncompleteSignatureException
    std::string message;
};

struct verified {
    std::string access_key_id;
    std::string region; ///< from the credential scope
};

class verifier {
public:
    /// Accepts requests signed with `access_key_id` / `secret_access_key`, for the service `chime`.
    verifier(std::string access_key_id, std::string secret_access_key);

    /// Verifies a header-signed request (`Authorization: AWS4-HMAC-SHA256 ...`). `target` is the request
    /// target as received (path and query, percent-encoded).
    std::optional<auth_failure> check_header(std::string_view method, std::string_view target,
                                             const http::request& headers_and_body,
                                             std::chrono::system_clock::time_point now, verified* out = nullptr) const;

    /// Verifies a presigned URL (X-Amz-Algorithm, X-Amz-Credential, ... in the query), as used by the
    /// messaging-session websocket; `host` is the Host header, the only signed header such URLs have.
    std::optional<auth_failure> check_presigned(std::string_view method, std::string_view target,
                                                std::string_view host, std::chrono::system_clock::time_point now,
                                                verified* out = nullptr) const;

private:
    std::string access_key_id_;
    std::string secret_;
    auth::credentials creds_; ///< the pair above, for requests without a session token
    auth::signer signer_;
};

} // namespace chime::local
