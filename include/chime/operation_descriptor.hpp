#pragma once
/// @file
/// The rest-json binding of an operation as data, generated from the model: what a server (chime-local's
/// router) or any other tool needs to map an HTTP request back to an operation and its input.

#include <span>
#include <string_view>

namespace chime {

enum class binding_location : unsigned char { uri, query, header };

/// The type of a member bound outside the body, as far as reading it back from text needs.
enum class binding_kind : unsigned char { string, integer, boolean, timestamp, string_list };

/// A member carried in the URI, the query string or a header.
struct member_binding {
    std::string_view member; ///< AWS member name, "ChannelArn"
    std::string_view wire;   ///< label, query key or header name: "channelArn", "max-results", "x-amz-chime-bearer"
    binding_location location;
    binding_kind kind;
};

struct operation_descriptor {
    std::string_view name;        ///< "SendChannelMessage"
    std::string_view method;      ///< "POST"
    std::string_view uri;         ///< the model's template: "/channels/{channelArn}/messages", literal query after '?'
    unsigned success_status;      ///< 200, or the model's responseCode (201, 204)
    std::string_view host_prefix; ///< "messaging-", or empty
    std::span<const member_binding> bindings;
    bool has_body; ///< whether any input member travels in the JSON body
};

} // namespace chime
