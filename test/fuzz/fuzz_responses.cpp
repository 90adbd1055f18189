// libFuzzer target: every operation's response reader (the generated `read_response` of the four
// services' operation tables): a 2xx body into the typed output and back to JSON, anything else into a
// service error. Input: [service][operation lo][operation hi][status][body...]; with the status byte's
// high bit set, the body's first line is sent as x-amzn-ErrorType.
#include <chime/classic/client.hpp>
#include <chime/identity/client.hpp>
#include <chime/meetings/client.hpp>
#include <chime/messaging/client.hpp>

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

template <class Table>
void read_one(const Table& table, std::size_t index, const chime::http::response& r) {
    if (table.empty())
        return;
    const auto& entry = table[index % table.size()];
    auto out = entry.read_response(r);
    if (out)
        (void)boost::json::serialize(*out);
    else
        (void)out.error().message();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4)
        return 0;
    static constexpr unsigned statuses[] = {200, 201, 204, 400, 403, 404, 409, 429, 500, 503, 302, 599};
    chime::http::response r;
    r.status = statuses[(data[3] & 0x7F) % std::size(statuses)];
    std::string_view body(reinterpret_cast<const char*>(data + 4), size - 4);
    if (data[3] & 0x80) {
        const auto nl = body.find('\n');
        r.headers.push_back({"x-amzn-ErrorType", std::string(body.substr(0, nl))});
        body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    }
    r.headers.push_back({"x-amzn-RequestId", "fuzz"});
    r.body = std::string(body);
    const std::size_t op = data[1] | (std::size_t(data[2]) << 8);
    switch (data[0] % 4) {
    case 0: read_one(chime::classic::operation_table(), op, r); break;
    case 1: read_one(chime::messaging::operation_table(), op, r); break;
    case 2: read_one(chime::identity::operation_table(), op, r); break;
    default: read_one(chime::meetings::operation_table(), op, r); break;
    }
    return 0;
}
