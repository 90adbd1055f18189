#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/invoke.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/json/value.hpp>

namespace chime {
namespace asio = boost::asio;
namespace json = boost::json;

struct generic_client::impl {
    virtual ~impl() = default;
    virtual asio::awaitable<result<json::value>> call(std::string_view operation, const json::value& input) = 0;
    virtual std::vector<std::string_view> operations() const = 0;
    virtual std::string_view aws_name(std::string_view operation) const = 0;
    // Pagination facts of an operation, if it has them: input token, output token, result key.
    virtual bool pagination(std::string_view operation, std::string_view& in, std::string_view& out,
                            std::string_view& key) const = 0;
};

namespace {

template <class Client>
struct client_impl final : generic_client::impl {
    Client client;
    const std::vector<operation_entry<Client>>& table;

    client_impl(asio::any_io_executor ex, client_config cfg, const std::vector<operation_entry<Client>>& t)
        : client(std::move(ex), std::move(cfg)), table(t) {}

    const operation_entry<Client>* find(std::string_view name) const {
        for (const auto& e : table)
            if (e.name == name || e.cli_name == name)
                return &e;
        return nullptr;
    }

    asio::awaitable<result<json::value>> call(std::string_view operation, const json::value& input) override {
        const auto* e = find(operation);
        if (!e)
            co_return error(make_error_code(errc::invalid_request), "unknown operation '" + std::string(operation) + "'");
        if (!input.is_object())
            co_return error(make_error_code(errc::invalid_request),
                            std::string(e->name) + " input: expected a JSON object");
        co_return co_await e->invoke(client, input);
    }

    std::vector<std::string_view> operations() const override {
        std::vector<std::string_view> out;
        for (const auto& e : table)
            out.push_back(e.name);
        return out;
    }

    std::string_view aws_name(std::string_view operation) const override {
        const auto* e = find(operation);
        return e ? e->name : std::string_view{};
    }

    bool pagination(std::string_view operation, std::string_view& in, std::string_view& out,
                    std::string_view& key) const override {
        const auto* e = find(operation);
        if (!e || e->input_token.empty() || e->output_token.empty() || e->result_key.empty())
            return false;
        in = e->input_token;
        out = e->output_token;
        key = e->result_key;
        return true;
    }
};

} // namespace

generic_client::generic_client(asio::any_io_executor ex, std::string_view service, client_config cfg) {
    if (service == "chime")
        impl_ = std::make_unique<client_impl<classic::client>>(std::move(ex), std::move(cfg), classic::operation_table());
    else if (service == "chime-sdk-messaging")
        impl_ = std::make_unique<client_impl<messaging::client>>(std::move(ex), std::move(cfg),
                                                                  messaging::operation_table());
    else if (service == "chime-sdk-identity")
        impl_ = std::make_unique<client_impl<identity::client>>(std::move(ex), std::move(cfg), identity::operation_table());
    else if (service == "chime-sdk-meetings")
        impl_ = std::make_unique<client_impl<meetings::client>>(std::move(ex), std::move(cfg), meetings::operation_table());
    else
        throw exception(errc::invalid_request, "unknown service '" + std::string(service) +
                                                   "'; known: chime, chime-sdk-messaging, chime-sdk-identity, "
                                                   "chime-sdk-meetings");
}

generic_client::~generic_client() = default;

asio::awaitable<result<json::value>> generic_client::call(std::string_view operation, const json::value& input) {
    co_return co_await impl_->call(operation, input);
}

asio::awaitable<result<json::value>> generic_client::call_all_pages(std::string_view operation,
                                                                   const json::value& input) {
    std::string_view in_token, out_token, key;
    if (!impl_->pagination(operation, in_token, out_token, key))
        co_return co_await impl_->call(operation, input);
    json::value request = input;
    json::value merged;
    std::string last_token;
    for (int page = 0;; ++page) {
        auto r = co_await impl_->call(operation, request);
        if (!r)
            co_return r.error();
        json::object& got = r->as_object();
        std::string token;
        if (auto* t = got.if_contains(out_token); t && t->is_string())
            token = std::string(t->get_string());
        if (page == 0) {
            merged = std::move(*r);
        } else if (auto* items = got.if_contains(key); items && items->is_array()) {
            auto& into = merged.as_object()[key];
            if (!into.is_array())
                into.emplace_array();
            for (auto& item : items->as_array())
                into.as_array().push_back(std::move(item));
        }
        if (token.empty())
            break;
        if (token == last_token) // botocore's safeguard: a service that repeats a token would loop forever
            co_return error(make_error_code(errc::bad_response),
                            std::string(operation) + ": the service returned the same " + std::string(out_token) +
                                " twice; stopping instead of looping");
        last_token = token;
        request.as_object()[in_token] = token;
    }
    merged.as_object().erase(out_token);
    co_return merged;
}

std::vector<std::string_view> generic_client::operations() const { return impl_->operations(); }
std::string_view generic_client::aws_name(std::string_view operation) const { return impl_->aws_name(operation); }

std::vector<std::string_view> generic_client::services() {
    return {"chime", "chime-sdk-messaging", "chime-sdk-identity", "chime-sdk-meetings"};
}

} // namespace chime
