#pragma once
/// @file
/// The library's one error model.
///
/// Every failure is an `error_code` plus `diagnostics` (what happened, in words, and for service errors
/// the HTTP status, AWS error code and request id):
/// - client-side failures (configuration, credentials, transport) are `chime::errc` values;
/// - service errors whose AWS error code the library knows are `chime::aws_errc` values;
/// - other service errors are `chime::http_category()` codes whose value is the HTTP status.
///
/// Test the *class* of an error with the conditions in `chime::condition`:
/// `if (ec == chime::condition::throttled)`. Throwing functions throw `chime::exception`; the no-throw
/// forms return `chime::result<T>`, a `boost::system::result<T, chime::error>`.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <iosfwd>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace chime {

using error_code = boost::system::error_code;

/// Client-side error codes.
enum class errc {
    // Credentials and configuration.
    no_credentials = 1,            ///< no provider in the chain found credentials
    partial_credentials,           ///< an access key id without a secret key, or the reverse
    unsupported_credential_source, ///< a profile asks for a source this library does not implement
    profile_not_found,             ///< an explicitly selected profile exists in no shared file
    invalid_config_file,           ///< a shared config or credentials file could not be parsed
    invalid_config_value,          ///< a setting has a value that cannot be used
    credentials_expired,           ///< the provider returned credentials that have already expired

    // Transport.
    resolve_failed = 100, ///< DNS resolution failed
    connect_failed,       ///< TCP connect refused or unreachable
    tls_handshake_failed, ///< the TLS handshake failed (other than certificate verification)
    tls_verify_failed,    ///< the server's certificate or host name did not verify
    connect_timeout,      ///< resolve + connect + TLS handshake took longer than allowed
    request_timeout,      ///< no complete response within the request timeout
    connection_reset,     ///< the connection was reset or closed before a complete response
    body_too_large,       ///< the response body exceeds the configured limit
    bad_response,         ///< the response is not valid HTTP/1.1
    cancelled,            ///< the call was cancelled by its caller
    pool_closed,          ///< the connection pool was shut down
    invalid_request,      ///< the request cannot be sent as given (a bad endpoint, a header with CR/LF, ...)

    // Streams.
    pagination_loop = 200, ///< the service returned a NextToken it had returned before: the listing would not end

    // Retries.
    send_rate_limited = 300, ///< adaptive mode: a send token would take longer than the call may wait (throttled, final)
    deadline_exceeded,       ///< the call's deadline passed, or the next attempt could not finish before it (final)

    // Messaging sessions.
    session_closed = 400,        ///< the service ended the session with a close code that is not retried (4401, 4403, 1000, ...)
    session_start_timeout,       ///< no SESSION_ESTABLISHED within the start timeout
    session_reconnect_exhausted, ///< reconnecting failed for the whole time budget or attempt limit
    session_stopped,             ///< the application stopped the session
};

/// Error codes the AWS services return, by name (the union of the Chime services' error shapes and
/// AWS's common throttling and auth names). Unknown names keep the HTTP status instead.
enum class aws_errc {
    bad_request = 1,         ///< BadRequestException
    conflict,                ///< ConflictException
    forbidden,               ///< ForbiddenException
    not_found,               ///< NotFoundException
    resource_limit_exceeded, ///< ResourceLimitExceededException
    service_failure,         ///< ServiceFailureException
    service_unavailable,     ///< ServiceUnavailableException
    throttled_client,        ///< ThrottledClientException (Chime's 429)
    unauthorized_client,     ///< UnauthorizedClientException
    unprocessable_entity,    ///< UnprocessableEntityException
    access_denied,           ///< AccessDeniedException
    limit_exceeded,          ///< LimitExceededException
    throttling,              ///< ThrottlingException and the other AWS throttling names
    internal_failure,        ///< InternalFailure, InternalServerError, InternalServerException
    unrecognized_client,     ///< UnrecognizedClientException (unknown access key)
    invalid_signature,       ///< InvalidSignatureException (includes "Signature expired")
    incomplete_signature,    ///< IncompleteSignatureException
    expired_token,           ///< ExpiredTokenException
    request_timeout,         ///< RequestTimeout, RequestTimeoutException
    resource_not_found,      ///< ResourceNotFoundException (chime-sdk-meetings)
    unauthorized,            ///< UnauthorizedException (chime-sdk-meetings)
    too_many_tags,           ///< TooManyTagsException
};

/// An error a service's model declares: its wire name, HTTP status and the code it decodes to.
/// Each generated client lists its service's in `model_errors`.
struct declared_error {
    std::string_view name; ///< "ThrottledClientException"
    unsigned http_status;  ///< 429
    aws_errc code;         ///< aws_errc::throttled_client
};

/// Classes of errors, for `ec == condition::...` tests.
enum class condition {
    throttled = 1, ///< the service asked us to slow down (HTTP 429 or a throttling error name)
    retryable,     ///< worth another attempt: throttled, 500/502/503/504, connection failures, timeouts
    auth_failed,   ///< credentials or signature rejected (401, 403, signature and token errors)
    not_found,     ///< the resource does not exist (404, NotFoundException)
};

const boost::system::error_category& client_category() noexcept;
const boost::system::error_category& aws_category() noexcept;
const boost::system::error_category& http_category() noexcept;
const boost::system::error_category& condition_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}
inline error_code make_error_code(aws_errc e) noexcept {
    return {static_cast<int>(e), aws_category()};
}
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// The `aws_errc` for an AWS error code name (`ThrottledClientException`, `Throttling`, ...), or 0.
int aws_errc_from_name(std::string_view name) noexcept;

/// What went wrong, in detail. No field ever holds a secret.
struct diagnostics {
    std::string message;      ///< for people: what was wrong and where
    unsigned http_status = 0; ///< service errors: the HTTP status
    std::string aws_code;     ///< service errors: the AWS error code name, as sent
    std::string request_id;   ///< the x-amzn-RequestId of the failed response, when there was one
    int attempts = 0;         ///< attempts made (set by the retry layer)
    int throttles = 0;        ///< attempts the service throttled (set by the retry layer)
    std::chrono::milliseconds waited{0}; ///< time spent in backoff sleeps and send-token waits
};

/// An error code with its diagnostics: the error type of `chime::result<T>`.
struct error {
    error_code code;
    std::shared_ptr<const diagnostics> diag; ///< never null in errors the library makes

    error() = default;
    error(error_code ec, diagnostics d)
        : code(ec)
        , diag(std::make_shared<const diagnostics>(std::move(d))) {}
    error(error_code ec, std::string message)
        : error(ec, diagnostics{std::move(message)}) {}

    /// The message, or the code's message when there are no diagnostics.
    std::string message() const { return diag && !diag->message.empty() ? diag->message : code.message(); }
};

std::ostream& operator<<(std::ostream& os, const error& e);

/// The exception the library throws: `what()` is exactly the message (what was wrong, and where),
/// `code()` the error code, `diag()` the diagnostics.
class exception : public boost::system::system_error {
public:
    explicit exception(chime::error e)
        : system_error(e.code)
        , error_(std::move(e)) {
        if (!error_.diag || error_.diag->message.empty()) {
            diagnostics d = error_.diag ? *error_.diag : diagnostics{};
            d.message = error_.code.message();
            error_.diag = std::make_shared<const diagnostics>(std::move(d));
        }
    }
    exception(error_code ec, const std::string& message)
        : exception(chime::error(ec, message)) {}
    exception(errc e, const std::string& message)
        : exception(chime::error(make_error_code(e), message)) {}

    const char* what() const noexcept override { return error_.diag->message.c_str(); }
    const diagnostics& diag() const noexcept { return *error_.diag; }
    const chime::error& error() const noexcept { return error_; }

private:
    chime::error error_; // shared diagnostics: copying an exception never throws
};

/// `boost::system::result<T, chime::error>`: `.value()` throws `chime::exception`.
template <class T>
using result = boost::system::result<T, error>;

/// Found by `boost::system::result<T, error>::value()` through argument-dependent lookup.
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

} // namespace chime

template <>
struct boost::system::is_error_code_enum<chime::errc> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<chime::aws_errc> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<chime::condition> : std::true_type {};
