#pragma once
// The bodies of the generated page and item streams: one template each, instantiated in the generated
// client.cpp files only (the public headers declare the streams, they do not carry this code).

#include <chime/async_generator.hpp>
#include <chime/error.hpp>
#include <chime/pagination.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

namespace chime::detail {

template <class Response, class Request, class Call, class List>
async_generator<Response> page_stream_body(std::string_view operation, Request request, pagination_options options,
                                           Call call, List Response::*items) {
    std::unordered_set<std::size_t> seen; // hashes of the tokens returned so far: memory stays small
    std::size_t delivered = 0;
    if (options.max_items == std::size_t{0})
        co_return;
    for (;;) {
        Request this_page = request;
        auto fetched = co_await call(std::move(this_page));
        Response page = std::move(fetched).value(); // throws chime::exception: the stream ends with it
        auto& list = page.*items;
        const std::size_t n = list ? list->size() : 0;
        const bool limit_reached = options.max_items && delivered + n >= *options.max_items;
        if (limit_reached && list)
            list->resize(*options.max_items - delivered);
        delivered += n;
        std::optional<std::string> token = page.next_token;
        co_yield std::move(page);
        if (limit_reached || !token || token->empty())
            co_return;
        if (!seen.insert(std::hash<std::string>{}(*token)).second)
            throw exception(errc::pagination_loop,
                            std::string(operation) + " returned a NextToken it had already returned, after " +
                                std::to_string(delivered) + " items: stopping instead of listing forever");
        request.next_token = std::move(token);
    }
}

/// A page stream over `call` (the operation's no-throw member, bound to its client).
template <class Response, class Request, class Call, class List>
async_generator<Response> page_stream(std::string_view operation, Request request, pagination_options options,
                                      Call call, List Response::*items) {
    auto pages = page_stream_body(operation, std::move(request), options, std::move(call), items);
    if (options.prefetch)
        pages.set_read_ahead(1);
    return pages;
}

template <class Item, class Response, class List>
async_generator<Item> item_stream(async_generator<Response> pages, List Response::*items) {
    while (auto page = co_await pages.next())
        if (auto& list = (*page).*items)
            for (auto& item : *list)
                co_yield std::move(item);
}

} // namespace chime::detail
