#pragma once
/// @file
/// Options of the generated page and item streams (`list_channel_messages_pages`,
/// `list_channel_messages_items`, ...): every operation with NextToken in its input and output has both.
///
/// The page size is the request's own `max_results` (MaxResults); the service's default when unset.
/// A stream follows NextToken until the service stops returning one. A page with no items but a NextToken
/// continues the stream. A NextToken the service already returned ends it with `errc::pagination_loop`
/// instead of looping forever. An error (after the retry layer gave up) ends the stream at the consuming
/// `co_await`, after every item delivered before it. Streams borrow their client: it must outlive them.

#include <cstddef>
#include <optional>

namespace chime {

struct pagination_options {
    /// Stop after this many items in total, without requesting further pages (a page stream cuts its last
    /// page to the limit). Unset: every item.
    std::optional<std::size_t> max_items;
    /// Request the next page while the consumer works on the current one (one page of read-ahead).
    bool prefetch = false;
};

} // namespace chime
