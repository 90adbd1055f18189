#include <chime/error.hpp>

#include <algorithm>
#include <array>
#include <ostream>

namespace chime {
namespace {

using namespace std::string_view_literals;

class client_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "chime"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::no_credentials:
            return "no AWS credentials found";
        case errc::partial_credentials:
            return "incomplete AWS credentials";
        case errc::unsupported_credential_source:
            return "unsupported credential source";
        case errc::profile_not_found:
            return "the config profile could not be found";
        case errc::invalid_config_file:
            return "malformed AWS shared config or credentials file";
        case errc::invalid_config_value:
            return "invalid AWS configuration value";
        case errc::credentials_expired:
            return "the AWS credentials have expired";
        case errc::resolve_failed:
            return "host name resolution failed";
        case errc::connect_failed:
            return "could not connect";
        case errc::tls_handshake_failed:
            return "TLS handshake failed";
        case errc::tls_verify_failed:
            return "TLS certificate verification failed";
        case errc::connect_timeout:
            return "timed out connecting";
        case errc::request_timeout:
            return "timed out waiting for the response";
        case errc::connection_reset:
            return "connection closed before a complete response";
        case errc::body_too_large:
            return "response body exceeds the size limit";
        case errc::bad_response:
            return "malformed HTTP response";
        case errc::cancelled:
            return "cancelled";
        case errc::pool_closed:
            return "connection pool closed";
        case errc::invalid_request:
            return "invalid request";
        case errc::pagination_loop:
            return "the service repeated a pagination token";
        case errc::send_rate_limited:
            return "the client-side rate limit allows no send within the time the call may wait";
        case errc::deadline_exceeded:
            return "the call's deadline passed";
        case errc::session_closed:
            return "the messaging session was closed by the service";
        case errc::session_start_timeout:
            return "the messaging session was not established within the start timeout";
        case errc::session_reconnect_exhausted:
            return "the messaging session could not reconnect within its budget";
        case errc::session_stopped:
            return "the messaging session was stopped";
        }
        return "unknown chime error " + std::to_string(ev);
    }

    bool equivalent(int ev, const boost::system::error_condition& cond) const noexcept override {
        if (cond.category() != condition_category())
            return error_category::equivalent(ev, cond);
        switch (static_cast<errc>(ev)) {
        case errc::resolve_failed:
        case errc::connect_failed:
        case errc::connect_timeout:
        case errc::request_timeout:
        case errc::connection_reset:
            return cond.value() == static_cast<int>(condition::retryable);
        case errc::no_credentials:
        case errc::partial_credentials:
        case errc::credentials_expired:
            return cond.value() == static_cast<int>(condition::auth_failed);
        case errc::send_rate_limited: // throttled, but retrying it would only wait longer
            return cond.value() == static_cast<int>(condition::throttled);
        default:
            return false;
        }
    }
};

struct aws_name {
    std::string_view name;
    aws_errc code;
};

// AWS's 14 throttling names all map to aws_errc::throttling (ThrottledClientException stays its own).
constexpr std::array aws_names{
    aws_name{"BadRequestException"sv, aws_errc::bad_request},
    aws_name{"ConflictException"sv, aws_errc::conflict},
    aws_name{"ForbiddenException"sv, aws_errc::forbidden},
    aws_name{"NotFoundException"sv, aws_errc::not_found},
    aws_name{"ResourceLimitExceededException"sv, aws_errc::resource_limit_exceeded},
    aws_name{"ServiceFailureException"sv, aws_errc::service_failure},
    aws_name{"ServiceUnavailableException"sv, aws_errc::service_unavailable},
    aws_name{"ThrottledClientException"sv, aws_errc::throttled_client},
    aws_name{"UnauthorizedClientException"sv, aws_errc::unauthorized_client},
    aws_name{"UnprocessableEntityException"sv, aws_errc::unprocessable_entity},
    aws_name{"AccessDeniedException"sv, aws_errc::access_denied},
    aws_name{"LimitExceededException"sv, aws_errc::limit_exceeded},
    aws_name{"ThrottlingException"sv, aws_errc::throttling},
    aws_name{"Throttling"sv, aws_errc::throttling},
    aws_name{"ThrottledException"sv, aws_errc::throttling},
    aws_name{"RequestThrottledException"sv, aws_errc::throttling},
    aws_name{"TooManyRequestsException"sv, aws_errc::throttling},
    aws_name{"ProvisionedThroughputExceededException"sv, aws_errc::throttling},
    aws_name{"TransactionInProgressException"sv, aws_errc::throttling},
    aws_name{"RequestLimitExceeded"sv, aws_errc::throttling},
    aws_name{"BandwidthLimitExceeded"sv, aws_errc::throttling},
    aws_name{"RequestThrottled"sv, aws_errc::throttling},
    aws_name{"SlowDown"sv, aws_errc::throttling},
    aws_name{"PriorRequestNotComplete"sv, aws_errc::throttling},
    aws_name{"EC2ThrottledException"sv, aws_errc::throttling},
    aws_name{"InternalServerException"sv, aws_errc::internal_failure},
    aws_name{"InternalFailure"sv, aws_errc::internal_failure},
    aws_name{"InternalServerError"sv, aws_errc::internal_failure},
    aws_name{"UnrecognizedClientException"sv, aws_errc::unrecognized_client},
    aws_name{"InvalidSignatureException"sv, aws_errc::invalid_signature},
    aws_name{"IncompleteSignatureException"sv, aws_errc::incomplete_signature},
    aws_name{"ExpiredTokenException"sv, aws_errc::expired_token},
    aws_name{"RequestTimeoutException"sv, aws_errc::request_timeout},
    aws_name{"RequestTimeout"sv, aws_errc::request_timeout},
    aws_name{"ResourceNotFoundException"sv, aws_errc::resource_not_found},
    aws_name{"UnauthorizedException"sv, aws_errc::unauthorized},
    aws_name{"TooManyTagsException"sv, aws_errc::too_many_tags},
};

// LimitExceededException is on AWS's throttling list too; Chime uses ResourceLimitExceeded for quotas.
bool is_throttling(aws_errc e) {
    return e == aws_errc::throttled_client || e == aws_errc::throttling || e == aws_errc::limit_exceeded;
}
bool is_transient(aws_errc e) {
    return e == aws_errc::service_failure || e == aws_errc::service_unavailable ||
           e == aws_errc::internal_failure || e == aws_errc::request_timeout;
}
bool is_auth(aws_errc e) {
    return e == aws_errc::forbidden || e == aws_errc::unauthorized_client || e == aws_errc::unauthorized ||
           e == aws_errc::access_denied || e == aws_errc::unrecognized_client ||
           e == aws_errc::invalid_signature || e == aws_errc::incomplete_signature ||
           e == aws_errc::expired_token;
}

class aws_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "chime.aws"; }

    std::string message(int ev) const override {
        for (const auto& n : aws_names)
            if (static_cast<int>(n.code) == ev)
                return std::string(n.name);
        return "unknown AWS error " + std::to_string(ev);
    }

    bool equivalent(int ev, const boost::system::error_condition& cond) const noexcept override {
        if (cond.category() != condition_category())
            return error_category::equivalent(ev, cond);
        const auto e = static_cast<aws_errc>(ev);
        switch (static_cast<condition>(cond.value())) {
        case condition::throttled:
            return is_throttling(e);
        case condition::retryable:
            return is_throttling(e) || is_transient(e);
        case condition::auth_failed:
            return is_auth(e);
        case condition::not_found:
            return e == aws_errc::not_found || e == aws_errc::resource_not_found;
        }
        return false;
    }
};

class http_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "chime.http"; }
    std::string message(int ev) const override { return "HTTP status " + std::to_string(ev); }

    bool equivalent(int status, const boost::system::error_condition& cond) const noexcept override {
        if (cond.category() != condition_category())
            return error_category::equivalent(status, cond);
        switch (static_cast<condition>(cond.value())) {
        case condition::throttled:
            return status == 429;
        case condition::retryable:
            return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
        case condition::auth_failed:
            return status == 401 || status == 403;
        case condition::not_found:
            return status == 404;
        }
        return false;
    }
};

class condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "chime.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::throttled:
            return "throttled";
        case condition::retryable:
            return "retryable";
        case condition::auth_failed:
            return "authentication failed";
        case condition::not_found:
            return "not found";
        }
        return "unknown condition";
    }
};

} // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}
const boost::system::error_category& aws_category() noexcept {
    static const aws_category_impl instance;
    return instance;
}
const boost::system::error_category& http_category() noexcept {
    static const http_category_impl instance;
    return instance;
}
const boost::system::error_category& condition_category() noexcept {
    static const condition_category_impl instance;
    return instance;
}

int aws_errc_from_name(std::string_view name) noexcept {
    for (const auto& n : aws_names)
        if (n.name == name)
            return static_cast<int>(n.code);
    return 0;
}

std::ostream& operator<<(std::ostream& os, const error& e) {
    os << e.message() << " [" << e.code.category().name() << ":" << e.code.value();
    if (e.diag && !e.diag->request_id.empty())
        os << ", request id " << e.diag->request_id;
    return os << "]";
}

void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw exception(e);
}

} // namespace chime
