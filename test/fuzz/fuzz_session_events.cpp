// libFuzzer target: the messaging-session frame parser and every payload decoder.
#include <chime/messaging/session.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace msg = chime::messaging;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto e = msg::session_event::from_frame(text);
    (void)msg::to_string(e.kind());
    (void)e.header("x-amz-chime-event-type");
    (void)e.header("x-amz-chime-message-type");
    for (const auto& decoded : {e.as_message().has_value(), e.as_channel().has_value(), e.as_membership().has_value(),
                                e.as_batch_membership().has_value(), e.as_channel_details().has_value()})
        (void)decoded;
    return 0;
}
