#pragma once
// The error a handler raises: an AWS error code with its HTTP status, sent as
// `x-amzn-ErrorType` + `{"Code":..,"Message":..}`, as the real service does.

#include <stdexcept>
#include <string>

namespace chime::local {

struct api_error : std::runtime_error {
    unsigned status;
    std::string code;
    api_error(unsigned s, std::string c, const std::string& message)
        : std::runtime_error(message)
        , status(s)
        , code(std::move(c)) {}
};

inline api_error bad_request(const std::string& m) { return {400, "BadRequestException", m}; }
inline api_error forbidden(const std::string& m) { return {403, "ForbiddenException", m}; }
inline api_error not_found(const std::string& m) { return {404, "NotFoundException", m}; }
inline api_error conflict(const std::string& m) { return {409, "ConflictException", m}; }
inline api_error limit_exceeded(const std::string& m) { return {400, "ResourceLimitExceededException", m}; }

} // namespace chime::local
