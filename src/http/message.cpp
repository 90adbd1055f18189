#include <chime/http/message.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace chime::http {
namespace {

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view find(const std::vector<header>& headers, std::string_view name) noexcept {
    for (const auto& h : headers)
        if (iequals(h.name, name))
            return h.value;
    return {};
}

std::string_view json_string(const boost::json::object& o, std::initializer_list<std::string_view> keys) {
    for (auto k : keys)
        if (auto it = o.find(k); it != o.end() && it->value().is_string())
            return it->value().get_string();
    return {};
}

// Status classifies first: a known name whose class contradicts a classifying status is not used.
bool name_agrees_with_status(error_code named, unsigned status) {
    const error_code by_status(static_cast<int>(status), http_category());
    for (auto c : {condition::throttled, condition::retryable}) {
        if ((by_status == c) != (named == c) && (status == 429 || status >= 500))
            return false;
    }
    return true;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

std::string_view request::header_value(std::string_view name) const noexcept {
    return find(headers, name);
}

void request::set_header(std::string name, std::string value) {
    for (auto& h : headers) {
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    }
    headers.push_back({std::move(name), std::move(value)});
}

std::string_view response::header_value(std::string_view name) const noexcept {
    return find(headers, name);
}

std::string_view response::request_id() const noexcept {
    auto id = header_value("x-amzn-RequestId");
    return id.empty() ? header_value("x-amz-request-id") : id;
}

error service_error(const response& r) {
    diagnostics d;
    d.http_status = r.status;
    d.request_id = std::string(r.request_id());

    std::string_view code = r.header_value("x-amzn-ErrorType");
    code = code.substr(0, code.find(':'));
    std::string_view message;
    boost::system::error_code jec;
    const boost::json::value body = boost::json::parse(r.body, jec);
    if (!jec && body.is_object()) {
        const auto& o = body.get_object();
        if (code.empty())
            code = json_string(o, {"Code", "code", "__type"});
        message = json_string(o, {"Message", "message"});
    }
    if (const auto hash = code.rfind('#'); hash != std::string_view::npos)
        code = code.substr(hash + 1);
    d.aws_code = std::string(code);

    error_code ec(static_cast<int>(r.status), http_category());
    if (const int named = aws_errc_from_name(code); named != 0) {
        const error_code by_name = make_error_code(static_cast<aws_errc>(named));
        if (name_agrees_with_status(by_name, r.status))
            ec = by_name;
    }
    d.message = (d.aws_code.empty() ? "HTTP " + std::to_string(r.status)
                                    : d.aws_code + " (HTTP " + std::to_string(r.status) + ")");
    if (!message.empty())
        d.message.append(": ").append(message);
    if (!d.request_id.empty())
        d.message.append(" [request id ").append(d.request_id).append("]");
    return error(ec, std::move(d));
}

} // namespace chime::http
