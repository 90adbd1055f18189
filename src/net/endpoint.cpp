#include <chime/net/endpoint.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

namespace chime::net {

result<endpoint> endpoint::parse(std::string_view url) {
    auto bad = [&](std::string_view why) {
        return error(make_error_code(errc::invalid_request),
                     "endpoint URL '" + std::string(url) + "': " + std::string(why));
    };
    auto u = boost::urls::parse_absolute_uri(url);
    if (!u)
        return bad("not an absolute URL");
    endpoint ep;
    if (u->scheme() == "https")
        ep.tls = true;
    else if (u->scheme() == "http")
        ep.tls = false;
    else
        return bad("the scheme must be http or https");
    if (!u->has_authority() || u->host().empty())
        return bad("no host");
    if (u->has_userinfo())
        return bad("user info is not allowed");
    if (u->has_query() || u->has_fragment())
        return bad("a query or fragment is not allowed");
    if (!u->encoded_path().empty() && u->encoded_path() != "/")
        return bad("a path is not supported");
    ep.host = u->host_type() == boost::urls::host_type::ipv6 ? std::string(u->encoded_host_address())
                                                             : std::string(u->host());
    if (ep.host.size() > 2 && ep.host.front() == '[')
        ep.host = ep.host.substr(1, ep.host.size() - 2);
    ep.port = ep.tls ? 443 : 80;
    if (u->has_port()) {
        const auto p = u->port();
        unsigned v = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
        if (ec != std::errc{} || end != p.data() + p.size() || v == 0 || v > 65535)
            return bad("invalid port");
        ep.port = static_cast<std::uint16_t>(v);
    }
    return ep;
}

std::string endpoint::host_header() const {
    const bool v6 = host.find(':') != std::string::npos;
    std::string h = v6 ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80))
        h += ":" + std::to_string(port);
    return h;
}

std::string endpoint::origin() const {
    const bool v6 = host.find(':') != std::string::npos;
    return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

bool endpoint::is_local_or_ip() const {
    if (host == "localhost")
        return true;
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    return !ec;
}

} // namespace chime::net
