#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/invoke.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/json/value.hpp>

#include <unordered_set>

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

namespace {

struct pagination_facts {
    std::string operation, in_token, out_token, key;
};

async_generator<json::value> json_page_stream(generic_client::impl* client, pagination_facts f, json::value input,
                                              pagination_options options) {
    if (f.key.empty())
        throw exception(errc::invalid_request, f.operation + " has no pagination");
    if (!input.is_object())
        throw exception(errc::invalid_request, f.operation + " input: expected a JSON object");
    std::unordered_set<std::size_t> seen; // hashes of the tokens returned so far
    std::size_t delivered = 0;
    if (options.max_items == std::size_t{0})
        co_return;
    for (;;) {
        auto fetched = co_await client->call(f.operation, input);
        json::value page = std::move(fetched).value(); // throws chime::exception: the stream ends with it
        auto& obj = page.as_object();
        std::size_t n = 0;
        if (auto* list = obj.if_contains(f.key); list && list->is_array())
            n = list->as_array().size();
        const bool limit_reached = options.max_items && delivered + n >= *options.max_items;
        if (limit_reached && n)
            obj.at(f.key).as_array().resize(*options.max_items - delivered);
        delivered += n;
        std::string token;
        if (auto* t = obj.if_contains(f.out_token); t && t->is_string())
            token = std::string(t->get_string());
        co_yield std::move(page);
        if (limit_reached || token.empty())
            co_return;
        if (!seen.insert(std::hash<std::string>{}(token)).second)
            throw exception(errc::pagination_loop,
                            f.operation + " returned a " + f.out_token + " it had already returned, after " +
                                std::to_string(delivered) + " items: stopping instead of listing forever");
        input.as_object()[f.in_token] = token;
    }
}

async_generator<json::value> json_item_stream(async_generator<json::value> pages, std::string key,
                                              std::function<void(const json::object&)> on_page) {
    while (auto page = co_await pages.next()) {
        if (on_page)
            on_page(page->as_object());
        if (auto* list = page->as_object().if_contains(key); list && list->is_array())
            for (auto& item : list->as_array())
                co_yield std::move(item);
    }
}

} // namespace

async_generator<json::value> generic_client::pages(std::string_view operation, json::value input,
                                                   pagination_options options) {
    pagination_facts f{std::string(impl_->aws_name(operation)), {}, {}, {}};
    if (f.operation.empty())
        f.operation = std::string(operation);
    std::string_view in, out, key;
    if (impl_->pagination(operation, in, out, key))
        f = {f.operation, std::string(in), std::string(out), std::string(key)};
    auto stream = json_page_stream(impl_.get(), std::move(f), std::move(input), options);
    if (options.prefetch)
        stream.set_read_ahead(1);
    return stream;
}

async_generator<json::value> generic_client::items(std::string_view operation, json::value input,
                                                   pagination_options options,
                                                   std::function<void(const json::object&)> on_page) {
    return json_item_stream(pages(operation, std::move(input), options), std::string(result_key(operation)),
                            std::move(on_page));
}

std::string_view generic_client::result_key(std::string_view operation) const {
    std::string_view in, out, key;
    return impl_->pagination(operation, in, out, key) ? key : std::string_view{};
}

asio::awaitable<result<json::value>> generic_client::call_all_pages(std::string_view operation,
                                                                   const json::value& input) {
    const std::string_view key = result_key(operation);
    if (key.empty())
        co_return co_await impl_->call(operation, input);
    // The first page's other members, with every page's items in its result list (as the AWS CLI merges).
    json::object merged;
    bool first = true;
    auto remember_first = [&merged, &first](const json::object& page) {
        if (std::exchange(first, false))
            merged = page;
    };
    json::array all;
    try {
        auto stream = items(operation, input, {}, remember_first);
        while (auto item = co_await stream.next())
            all.push_back(std::move(*item));
    } catch (const exception& e) {
        co_return e.error();
    }
    std::string_view in, out, k;
    impl_->pagination(operation, in, out, k);
    merged.erase(out);
    merged[key] = std::move(all);
    co_return json::value(std::move(merged));
}

std::vector<std::string_view> generic_client::operations() const { return impl_->operations(); }
std::string_view generic_client::aws_name(std::string_view operation) const { return impl_->aws_name(operation); }

std::vector<std::string_view> generic_client::services() {
    return {"chime", "chime-sdk-messaging", "chime-sdk-identity", "chime-sdk-meetings"};
}

} // namespace chime
