#pragma once
/// @file
/// The library's error model: one error category for client-side failures and one exception type.
///
/// Every failure the library reports is an `error_code`. Client-side failures (configuration,
/// credentials, and later transport) use `chime::errc` in `chime::client_category()`. Functions that
/// throw, throw `chime::exception`, which carries the code and a message naming what was wrong.
/// Messages never contain secret material.

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <memory>
#include <string>
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
};

/// The category of `chime::errc`; its name is "chime".
const boost::system::error_category& client_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

/// The exception the library throws: `what()` is exactly the message (what was wrong, and where),
/// `code()` the error code to test against `chime::errc` or, later, error conditions.
class exception : public boost::system::system_error {
public:
    exception(error_code ec, const std::string& message)
        : system_error(ec, message)
        , message_(std::make_shared<const std::string>(message)) {}
    exception(errc e, const std::string& message)
        : exception(make_error_code(e), message) {}

    const char* what() const noexcept override { return message_->c_str(); }

private:
    std::shared_ptr<const std::string> message_; // shared: copying an exception must not throw
};

} // namespace chime

template <>
struct boost::system::is_error_code_enum<chime::errc> : std::true_type {};
