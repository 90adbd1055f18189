#pragma once
/// @file
/// One row of a generated client's operation table: how to call an operation by name with JSON.

#include <chime/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>

#include <string_view>
#include <vector>

namespace chime {

namespace http {
struct response;
}

template <class Client>
struct operation_entry {
    std::string_view name;       ///< "SendChannelMessage"
    std::string_view cli_name;   ///< "send-channel-message", as the AWS CLI names it
    boost::asio::awaitable<result<boost::json::value>> (*invoke)(Client&, const boost::json::value& input);
    /// Reads a response of this operation exactly as the typed call does, without I/O: a 2xx body into
    /// the typed output (then written back as JSON), anything else into the service error. For tests and
    /// fuzzing of every output shape.
    result<boost::json::value> (*read_response)(const http::response& r);
    std::string_view input_token;  ///< paginated operations: "NextToken" (else empty)
    std::string_view output_token; ///< paginated operations: "NextToken"
    std::string_view result_key;   ///< paginated operations: the list merged across pages, e.g. "ChannelMessages"
    std::string_view limit_key;    ///< paginated operations: "MaxResults"
};

} // namespace chime
