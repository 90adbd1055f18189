#pragma once
// The non-template core of every generated client: endpoint and region resolution, host prefixes,
// and the call through the transport. Generated clients hold one.

#include <chime/client_config.hpp>
#include <chime/http/message.hpp>
#include <chime/net/endpoint.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace chime::detail {

struct service_info {
    std::string_view service_id;      ///< the model's serviceId, e.g. "Chime SDK Messaging"
    std::string_view endpoint_prefix; ///< e.g. "messaging-chime"
    bool global = false;              ///< one endpoint and signing region (us-east-1) for the whole service
    std::span<const std::string_view> host_prefixes; ///< every host prefix the service's operations use
};

struct operation_info {
    std::string_view name;        ///< e.g. "SendChannelMessage"
    std::string_view host_prefix; ///< e.g. "messaging-", or empty
    bool idempotency_token = false; ///< the input has an idempotency token: repeating a call is safe
};

class service_client {
public:
    /// @throws chime::exception when configuration cannot be resolved (no region, a bad endpoint URL, ...).
    service_client(boost::asio::any_io_executor ex, client_config cfg, const service_info& info);

    boost::asio::awaitable<result<http::response>> call(const operation_info& op, http::request req) const;

    const net::endpoint& endpoint() const noexcept { return endpoint_; }
    /// Where `op` goes: the endpoint, with the operation's host prefix when prefixes apply.
    net::endpoint endpoint_for(const operation_info& op) const;
    const std::string& region() const noexcept { return scope_.region; }
    chime::transport& transport() const noexcept { return *transport_; }
    /// The per-call settings every call of this client uses (see the clients' `with`).
    void set_call_options(call_options o) {
        options_ = std::move(o);
        idempotent_options_ = options_;
        if (!idempotent_options_.idempotent)
            idempotent_options_.idempotent = true;
    }
    const call_options& options() const noexcept { return options_; }

private:
    std::shared_ptr<chime::transport> transport_;
    net::endpoint endpoint_;
    // One endpoint per host prefix of the service, built once; empty when prefixes do not apply.
    std::vector<std::pair<std::string_view, net::endpoint>> prefixed_;
    signing_scope scope_;
    call_options options_;
    call_options idempotent_options_; // options_, idempotent unless set: for operations with an idempotency token
};

/// A fresh UUIDv4, for idempotency tokens the caller left empty.
std::string new_idempotency_token();

/// "OperationName: missing required member Member".
error missing_member(std::string_view operation, std::string_view member);

} // namespace chime::detail
