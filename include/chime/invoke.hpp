#pragma once
/// @file
/// Calling any operation of any service by name, with a JSON input in AWS member names (as
/// `aws ... --cli-input-json` takes it) and the JSON output back: what chimectl is built on.

#include <chime/async_generator.hpp>
#include <chime/client_config.hpp>
#include <chime/pagination.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>

#include <functional>
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
    /// the pages' result lists (over `items`); for operations without pagination it is `call`.
    boost::asio::awaitable<result<boost::json::value>> call_all_pages(std::string_view operation,
                                                                     const boost::json::value& input);

    /// The pages of a paginated operation, as JSON objects (see chime/pagination.hpp for the rules), and
    /// the elements of their result lists one at a time. `on_page`, when set, sees each page (without its
    /// result list's elements moved out yet) before its items are yielded. An operation without pagination
    /// ends the stream at once with errc::invalid_request. The streams use this client: it must outlive them.
    async_generator<boost::json::value> pages(std::string_view operation, boost::json::value input,
                                              pagination_options options = {});
    async_generator<boost::json::value> items(std::string_view operation, boost::json::value input,
                                              pagination_options options = {},
                                              std::function<void(const boost::json::object&)> on_page = {});

    /// The member that holds a paginated operation's results ("ChannelMessages"), else empty.
    std::string_view result_key(std::string_view operation) const;

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
