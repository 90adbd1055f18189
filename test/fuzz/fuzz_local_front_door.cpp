// libFuzzer target: chime-local's request router and SigV4 verifier, on what a client could send.
// Input, as text: a method line, a target line, header lines ("Name: value") up to an empty line, then
// the body.
#include "chime-local/api_error.hpp"
#include "chime-local/router.hpp"
#include "chime-local/verifier.hpp"

#include <chime/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

std::string_view take_line(std::string_view& in) {
    const auto nl = in.find('\n');
    const std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const chime::local::router routes;
    static const chime::local::verifier verify("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    static const auto now = std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + std::chrono::hours(3);

    std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string method(take_line(in));
    const std::string target(take_line(in));
    chime::http::request req;
    req.method = method;
    for (std::string_view line = take_line(in); !line.empty(); line = take_line(in)) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
        req.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    req.body = std::string(in);

    (void)verify.check_header(method, target, req, now);
    (void)verify.check_presigned(method, target, req.header_value("host"), now);
    try {
        if (const auto r = routes.route(method, target, req))
            (void)r->input.size();
    } catch (const chime::local::api_error& e) {
        (void)e.what(); // a request that matches an operation but whose members cannot be read: a 400
    }
    return 0;
}
