#pragma once
/// @file
/// Calling any operation of any service by name, with a JSON input in AWS member names (as
/// `aws ... --cli-input-json` takes it) and the JSON output back: what chimectl is built on.

#include <chime/client_config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chime {

/// A client of one of the four services, chosen by its AWS CLI name.
class generic_client {
public:
    /// `service`: "chime", "chime-sdk-messaging", "chime-sdk-identity" or "chime-sdk-meetings".
    /// @throws chime::exception for an unknown service (the message lists the known ones) or a
    ///         configuration that cannot be resolved.
    generic_client(boost::asio::any_io_executor ex, std::string_view service, client_config cfg = {});
    ~generic_client();

    /// Calls `operation` (its AWS name, "SendChannelMessage", or CLI name, "send-channel-message") with
    /// `input`, a JSON object in AWS member names. Unknown operations and malformed input are errors
    /// (errc::invalid_request) naming what was wrong.
    boost::asio::awaitable<result<boost::json::value>> call(std::string_view operation, const boost::json::value& input);

    /// The same, following the operation's pagination token until the last page and concatenating
    /// the pages' result lists; for operations without pagination it is `call`.
    boost::asio::awaitable<result<boost::json::value>> call_all_pages(std::string_view operation,
                                                                     const boost::json::value& input);

    /// The AWS name of `operation` (given either way), or empty when the service has no such operation.
    std::string_view aws_name(std::string_view operation) const;

    /// The AWS names of every operation, and the CLI names of the services.
    std::vector<std::string_view> operations() const;
    static std::vector<std::string_view> services();

    struct impl; // one implementation per service client, in invoke.cpp

private:
    std::unique_ptr<impl> impl_;
};

} // namespace chime
