#include "chime-local/server.hpp"

#include "chime-local/certificate.hpp"
#include "chime-local/faults.hpp"
#include "chime-local/hub.hpp"
#include "chime-local/router.hpp"
#include "chime-local/state.hpp"
#include "chime-local/verifier.hpp"

#include <chime/messaging/model_json.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <deque>
#include <fstream>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace chime::local {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr auto read_timeout = std::chrono::seconds(120);
constexpr std::size_t max_body = 1024 * 1024;  // refused with 413, "larger than 1 MiB"
constexpr std::size_t max_header = 8 * 1024;    // refused with 431, "larger than 8 KiB" (Beast's default)

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One request as it arrived: read straight into the shape the verifier and the router take, without
// Beast's header container and a copy out of it.
struct incoming {
    bhttp::verb verb = bhttp::verb::unknown;
    http::request view; ///< method, headers in arrival order, body
    std::string target;
    unsigned version = 11;
    bool keep_alive = true;
};

class request_reader final : public bhttp::basic_parser<true> {
public:
    explicit request_reader(incoming& in)
        : in_(in) {}

private:
    using sys_error = boost::system::error_code;
    void on_request_impl(bhttp::verb verb, beast::string_view method, beast::string_view target, int version,
                         sys_error&) override {
        in_.verb = verb;
        in_.view.method.assign(method.data(), method.size());
        in_.target.assign(target.data(), target.size());
        in_.version = static_cast<unsigned>(version);
        in_.view.headers.reserve(12);
    }
    void on_response_impl(int, beast::string_view, int, sys_error&) override {}
    void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, sys_error&) override {
        in_.view.headers.push_back({std::string(name), std::string(value)});
    }
    void on_header_impl(sys_error&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, sys_error&) override {
        if (length) // within the body limit: the parser checked it first
            in_.view.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(beast::string_view body, sys_error&) override {
        in_.view.body.append(body.data(), body.size());
        return body.size();
    }
    void on_chunk_header_impl(std::uint64_t, beast::string_view, sys_error&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, sys_error&) override {
        in_.view.body.append(body.data(), body.size());
        return body.size();
    }
    void on_finish_impl(sys_error&) override {}

    incoming& in_;
};

// The request as Beast's websocket handshake takes it (only for a request that asks for an upgrade).
bhttp::request<bhttp::string_body> beast_request(const incoming& in) {
    bhttp::request<bhttp::string_body> req{in.verb, in.target, in.version};
    for (const auto& h : in.view.headers)
        req.insert(h.name, h.value);
    req.body() = in.view.body;
    return req;
}

struct reply {
    bhttp::response<bhttp::string_body> res;
    fault_injector::action fault = fault_injector::action::none;
    std::string_view operation; ///< the operation the request was routed to, for the counters; empty if none
};

bhttp::response<bhttp::string_body> json_response(unsigned status, std::string body, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::server, "chime-local");
    res.body() = std::move(body);
    res.keep_alive(keep_alive);
    if (status != 204)
        res.prepare_payload();
    else
        res.body().clear();
    return res;
}

std::string query_param(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto item = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const auto eq = item.find('=');
        if (uri_decode(item.substr(0, eq)) == key)
            return eq == std::string_view::npos ? std::string() : uri_decode(item.substr(eq + 1));
    }
    return {};
}

} // namespace

struct server::impl {
    asio::io_context ioc; // first: destroyed last, its destruction ends every suspended session
    server_options opts;
    std::optional<asio::ssl::context> ssl;
    std::string cert_pem;
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
    verifier verify;
    router routes;
    fault_injector faults;
    hub sessions;
    std::mutex state_mutex;
    store state;
    std::atomic<bool> stopped{false};
    std::uint16_t port = 0;

    mutable std::mutex stats_mutex;
    std::uint64_t requests_total = 0, throttled_total = 0, errors_total = 0;
    std::map<std::string, std::map<unsigned, std::uint64_t>, std::less<>> by_operation;

    explicit impl(server_options o)
        : ioc(static_cast<int>(std::max(1u, o.threads)))
        , opts(std::move(o))
        , verify(opts.access_key, opts.secret_key)
        , faults(opts.faults) {}

    void count(std::string_view op, unsigned status) {
        std::lock_guard lock(stats_mutex);
        ++requests_total;
        if (status == 429)
            ++throttled_total;
        else if (status >= 400)
            ++errors_total;
        auto it = by_operation.find(op);
        if (it == by_operation.end())
            it = by_operation.emplace(std::string(op), std::map<unsigned, std::uint64_t>{}).first;
        ++it->second[status];
    }

    json::value stats() const {
        std::lock_guard lock(stats_mutex);
        json::object ops;
        for (const auto& [op, statuses] : by_operation) {
            json::object o;
            for (const auto& [status, n] : statuses)
                o[std::to_string(status)] = n;
            ops[op] = std::move(o);
        }
        return {{"requests_total", requests_total}, {"throttled_total", throttled_total},
                {"errors_total", errors_total},     {"by_operation", std::move(ops)},
                {"ws_sessions_open", sessions.open()}, {"ws_events_sent", sessions.events_sent()},
                {"cpu_seconds", cpu_seconds()}};
    }

    static std::string error_body(std::string_view code, std::string_view message) {
        return json::serialize(json::object{{"Code", code}, {"Message", message}});
    }

    static bhttp::response<bhttp::string_body> error_response(unsigned status, std::string_view code, std::string_view message,
                                                              unsigned version, bool keep_alive) {
        auto res = json_response(status, error_body(code, message), version, keep_alive);
        res.set("x-amzn-ErrorType", std::string(code) + ":");
        return res;
    }

    reply error(unsigned status, std::string_view code, std::string_view message, const incoming& req) {
        return reply{error_response(status, code, message, req.version, req.keep_alive)};
    }

    // A request over the body or header limit: answered in AWS's error format before the rest is read,
    // then a lingering close: what the client is still sending is read and discarded as raw bytes below
    // TLS (at most 2 s, into one 64 KiB buffer) until it closes after reading the answer. Closing at once
    // would make its kernel answer the unread bytes with a reset, which can destroy the answer unread.
    template <class Stream>
    asio::awaitable<void> refuse_oversized(Stream& s, bool body) {
        auto res = body ? error_response(413, "RequestEntityTooLargeException", "The request body is larger than 1 MiB", 11, false)
                        : error_response(431, "RequestHeaderFieldsTooLargeException",
                                         "The request headers are larger than 8 KiB", 11, false);
        res.set("x-amzn-RequestId", store::uuid_v4());
        count("(too large)", res.result_int());
        co_await bhttp::async_write(s, res, tuple_awaitable);
        auto& lowest = beast::get_lowest_layer(s);
        lowest.expires_after(std::chrono::seconds(2));
        std::vector<char> sink(64 * 1024);
        for (;;) {
            auto [ec, n] = co_await lowest.async_read_some(asio::buffer(sink), tuple_awaitable);
            if (ec)
                co_return;
        }
    }

    // The /_chime_local/ control routes: no signature, no rate limit, not counted.
    reply control(const incoming& req) {
        const std::string_view target = req.target;
        const std::string_view path = target.substr(0, target.find('?'));
        auto ok = [&](json::value v) { return reply{json_response(200, json::serialize(v), req.version, req.keep_alive)}; };
        if (path == "/_chime_local/stats" && req.verb == bhttp::verb::get)
            return ok(stats());
        if (path == "/_chime_local/health")
            return ok(json::object{{"status", "ok"}});
        if (path == "/_chime_local/faults" && req.verb == bhttp::verb::get)
            return ok(faults_to_json(faults.get()));
        if (path == "/_chime_local/faults" && (req.verb == bhttp::verb::post || req.verb == bhttp::verb::put)) {
            try {
                faults.set(faults_from_json(json::parse(req.view.body.empty() ? std::string_view("{}") : std::string_view(req.view.body))));
            } catch (const std::exception& e) {
                return error(400, "BadRequestException", e.what(), req);
            }
            return ok(faults_to_json(faults.get()));
        }
        if (path == "/_chime_local/ws/drop" && req.verb == bhttp::verb::post)
            return ok(json::object{{"dropped", sessions.drop(query_param(target, "userArn"))}});
        if (path == "/_chime_local/ws/close" && req.verb == bhttp::verb::post) {
            const std::string code_text = query_param(target, "code");
            int code = 0;
            const auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), code);
            if (ec != std::errc() || end != code_text.data() + code_text.size() || code < 1000 || code > 4999)
                return error(400, "BadRequestException", "ws/close: code '" + code_text + "' is not a close code in [1000, 4999]", req);
            return ok(json::object{{"closed", sessions.close(code, query_param(target, "reason"), query_param(target, "userArn"))}});
        }
        return error(404, "NotFoundException", "no control route " + std::string(path), req);
    }

    reply handle(const incoming& req) {
        if (req.target.starts_with("/_chime_local/"))
            return control(req);
        reply r = serve_api(req);
        count(r.operation.empty() ? std::string_view("(unknown)") : r.operation, r.res.result_int());
        r.res.set("x-amzn-RequestId", store::uuid_v4()); // no state touched: no lock
        return r;
    }

    reply serve_api(const incoming& req) {
        const http::request& view = req.view;
        const std::string& target = req.target;
        // Routed first only to name the operation in the counters; nothing runs before the signature verifies.
        std::optional<routed> route;
        std::optional<api_error> bad_input;
        try {
            route = routes.route(view.method, target, view);
        } catch (const api_error& e) {
            bad_input = e;
        }
        reply r = [&] {
            verified who;
            if (auto failure = verify.check_header(view.method, target, view, std::chrono::system_clock::now(), &who)) {
                auto denied = error(403, failure->code, failure->message, req);
                if (failure->code == "InvalidSignatureException") // lets clients correct their clock
                    denied.res.set(bhttp::field::date, beast::string_view(format_http_date()));
                return denied;
            }
            if (bad_input)
                return error(bad_input->status, bad_input->code, bad_input->what(), req);
            if (!route)
                return error(404, "UnknownOperationException",
                             view.method + " " + target.substr(0, target.find('?')) + " is no operation of the Chime APIs", req);
            return call_operation(*route, who, req);
        }();
        if (route)
            r.operation = route->op->name;
        return r;
    }

    reply call_operation(routed& route, const verified& who, const incoming& req) {
        const auto action = faults.decide(route.op->name, std::chrono::steady_clock::now());
        switch (action) {
        case fault_injector::action::throttle:
            return error(429, "ThrottledClientException", "Rate exceeded", req);
        case fault_injector::action::error_500:
            return error(500, "ServiceFailureException", "Injected service failure", req);
        case fault_injector::action::error_503:
            return error(503, "ServiceUnavailableException", "Injected service unavailability", req);
        case fault_injector::action::close_before_response:
            return {bhttp::response<bhttp::string_body>{}, action}; // the operation does not run
        default:
            break;
        }
        // Milliseconds, as the service keeps timestamps: what a listing returns can be sent back as
        // NotBefore/NotAfter and compare equal.
        const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
        call c{route.service, route.op->name, json::value(std::move(route.input)), now, who.region,
               std::string(req.view.header_value("Host")), {}, sessions.open() > 0};
        json::value out;
        try {
            std::lock_guard lock(state_mutex);
            out = state.handle(c);
        } catch (const api_error& e) {
            return error(e.status, e.code, e.what(), req);
        }
        sessions.publish(c.events);
        reply r{json_response(route.op->success_status, route.op->success_status == 204 ? "" : json::serialize(out),
                              req.version, req.keep_alive),
                action};
        return r;
    }

    static std::string format_http_date() {
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        return buf;
    }

    static std::string head_text(const bhttp::response<bhttp::string_body>& res) {
        std::string out = "HTTP/1.1 " + std::to_string(res.result_int()) + " " + std::string(res.reason()) + "\r\n";
        for (const auto& f : res)
            out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
        out += "\r\n";
        return out;
    }

    // ---- connections ------------------------------------------------------------------------------

    asio::awaitable<void> accept_loop() {
        for (;;) {
            // A strand per connection only when several threads run the context: with one, every
            // handler is already serialized and a strand would only add a dispatch per operation.
            const asio::any_io_executor ex = opts.threads > 1 ? asio::any_io_executor(asio::make_strand(ioc))
                                                               : asio::any_io_executor(ioc.get_executor());
            auto [ec, sock] = co_await acceptor.async_accept(ex, tuple_awaitable);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopped)
                    co_return;
                continue;
            }
            // Responses leave whole at once: without this, Nagle holds the tail of a large one until the
            // client's delayed ACK (40 ms a listing page).
            boost::system::error_code ignored;
            sock.set_option(tcp::no_delay(true), ignored);
            asio::co_spawn(sock.get_executor(), connection(std::move(sock)), asio::detached);
        }
    }

    asio::awaitable<void> connection(tcp::socket sock) {
        beast::tcp_stream stream(std::move(sock));
        if (!ssl) {
            co_await serve(std::move(stream));
            co_return;
        }
        asio::ssl::stream<beast::tcp_stream> tls(std::move(stream), *ssl);
        beast::get_lowest_layer(tls).expires_after(std::chrono::seconds(30));
        auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
        if (!ec)
            co_await serve(std::move(tls));
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream s) {
        beast::flat_buffer buffer;
        for (;;) {
            incoming req;
            request_reader parser(req);
            parser.body_limit(max_body);
            parser.header_limit(max_header);
            beast::get_lowest_layer(s).expires_after(read_timeout);
            auto [ec, n] = co_await bhttp::async_read(s, buffer, parser, tuple_awaitable);
            if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
                co_await refuse_oversized(s, ec == bhttp::error::body_limit);
                co_return;
            }
            if (ec)
                co_return;
            beast::get_lowest_layer(s).expires_never();
            req.keep_alive = parser.keep_alive();
            if (parser.upgrade()) {
                if (auto upgrade = beast_request(req); websocket::is_upgrade(upgrade)) {
                    co_await serve_websocket(std::move(s), std::move(upgrade));
                    co_return;
                }
            }
            reply r = handle(req);
            if (const auto delay = faults.latency(); delay.count() > 0) {
                asio::steady_timer t(s.get_executor(), delay);
                co_await t.async_wait(tuple_awaitable);
            }
            if (r.fault == fault_injector::action::close_before_response)
                co_return;
            if (r.fault == fault_injector::action::close_mid_response) {
                // The head and half of the body, then the connection goes away.
                bhttp::response_serializer<bhttp::string_body> sr(r.res);
                co_await bhttp::async_write_header(s, sr, tuple_awaitable);
                const std::string& body = r.res.body();
                co_await asio::async_write(s, asio::buffer(body.data(), body.size() / 2), tuple_awaitable);
                co_return;
            }
            // One buffer, so one TLS record and one send(2) per response.
            const bool keep = r.res.keep_alive();
            std::string wire = head_text(r.res);
            wire += r.res.body();
            auto [wec, wn] = co_await asio::async_write(s, asio::buffer(wire), tuple_awaitable);
            if (wec || !keep)
                co_return;
        }
    }

    template <class Stream>
    struct ws_connection final : ws_sink, std::enable_shared_from_this<ws_connection<Stream>> {
        websocket::stream<Stream>& ws;
        asio::any_io_executor ex;
        std::deque<std::string> queue;
        asio::steady_timer wake;
        bool closed = false;
        std::optional<websocket::close_reason> close_with; // set by close(): the write loop sends it and ends

        ws_connection(websocket::stream<Stream>& w, asio::any_io_executor e)
            : ws(w)
            , ex(e)
            , wake(e, asio::steady_timer::time_point::max()) {}

        void send(std::string frame) override {
            asio::post(ex, [self = this->shared_from_this(), f = std::move(frame)]() mutable {
                if (self->closed)
                    return;
                self->queue.push_back(std::move(f));
                self->wake.cancel();
            });
        }
        void drop() override {
            asio::post(ex, [self = this->shared_from_this()] {
                if (self->closed)
                    return;
                boost::system::error_code ec;
                beast::get_lowest_layer(self->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
                beast::get_lowest_layer(self->ws).socket().close(ec);
                self->wake.cancel();
            });
        }

        void close(int code, std::string reason) override {
            asio::post(ex, [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
                if (self->closed || self->close_with)
                    return;
                self->close_with.emplace(static_cast<websocket::close_code>(code), r);
                self->wake.cancel();
            });
        }

        asio::awaitable<void> write_loop() {
            for (;;) {
                if (close_with) {
                    co_await ws.async_close(*close_with, tuple_awaitable);
                    co_return;
                }
                while (!queue.empty()) {
                    auto [ec, n] = co_await ws.async_write(asio::buffer(queue.front()), tuple_awaitable);
                    if (ec)
                        co_return;
                    queue.pop_front();
                }
                if (close_with)
                    continue;
                wake.expires_at(asio::steady_timer::time_point::max());
                co_await wake.async_wait(tuple_awaitable);
                if (closed)
                    co_return;
            }
        }
        asio::awaitable<void> read_loop() {
            beast::flat_buffer b;
            for (;;) { // the client sends nothing but control frames; Beast answers pings itself
                auto [ec, n] = co_await ws.async_read(b, tuple_awaitable);
                if (ec)
                    co_return;
                b.clear();
            }
        }
        // A dead peer as a client sees one: the connection stays open, nothing is read (so pings go
        // unanswered) and nothing is written, until drop() or close() or the server stops.
        asio::awaitable<void> silence() {
            wake.expires_at(asio::steady_timer::time_point::max());
            while (!closed && !close_with) {
                co_await wake.async_wait(tuple_awaitable);
                if (!queue.empty())
                    queue.clear(); // events for a dead peer are lost, as they would be
                if (!beast::get_lowest_layer(ws).socket().is_open())
                    co_return;
            }
            if (close_with)
                beast::get_lowest_layer(ws).socket().close();
        }
    };

    template <class Stream>
    asio::awaitable<void> serve_websocket(Stream s, bhttp::request<bhttp::string_body> req) {
        websocket::stream<Stream> ws(std::move(s));
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.idle_timeout = opts.ws_idle_timeout;
        timeouts.keep_alive_pings = true;
        ws.set_option(timeouts);
        ws.text(true);
        const std::string target(req.target());
        const std::string host(req[bhttp::field::host]);
        auto failure = target.substr(0, target.find('?')) == "/connect"
                           ? verify.check_presigned("GET", target, host, std::chrono::system_clock::now())
                           : std::optional<auth_failure>(auth_failure{"NotFound", "only /connect upgrades"});
        auto [aec] = co_await ws.async_accept(req, tuple_awaitable);
        if (aec)
            co_return;
        // As the service does: the upgrade succeeds, then a failed authorization closes the socket.
        const std::string user = query_param(target, "userArn");
        bool known_user = false;
        std::vector<std::string> prefetch;
        if (!failure) {
            std::lock_guard lock(state_mutex);
            known_user = state.users.contains(user);
            if (known_user && query_param(target, "prefetch-on") == "connect")
                prefetch = channel_details(user);
        }
        const auto f = faults.get();
        if (failure || !known_user || f.ws_reject_code != 0) {
            const websocket::close_reason why(static_cast<websocket::close_code>(failure ? 4401 : !known_user ? 4403 : f.ws_reject_code),
                                              failure ? "Unauthorized" : !known_user ? "Forbidden" : "Rejected by fault injection");
            co_await ws.async_close(why, tuple_awaitable);
            co_return;
        }
        const auto conn = std::make_shared<ws_connection<Stream>>(ws, co_await asio::this_coro::executor);
        sessions.join(user, conn);
        if (f.ws_unresponsive) {
            // SESSION_ESTABLISHED goes out, then the session plays dead.
            const std::string hello = hub::frame("SESSION_ESTABLISHED", "SYSTEM", "");
            auto [ec, n] = co_await ws.async_write(asio::buffer(hello), tuple_awaitable);
            if (!ec)
                co_await conn->silence();
            conn->closed = true;
            sessions.leave(user, conn.get());
            co_return;
        }
        conn->send(hub::frame("SESSION_ESTABLISHED", "SYSTEM", ""));
        for (auto& p : prefetch)
            conn->send(hub::frame("CHANNEL_DETAILS", "SYSTEM", p));
        using namespace asio::experimental::awaitable_operators;
        auto reader = conn->read_loop();
        auto writer = conn->write_loop();
        co_await (std::move(reader) || std::move(writer));
        conn->closed = true;
        sessions.leave(user, conn.get());
    }

    // CHANNEL_DETAILS payloads for the user's channels (up to 50, latest first), as prefetch sends them.
    std::vector<std::string> channel_details(const std::string& user);
};

std::vector<std::string> server::impl::channel_details(const std::string& user) {
    std::vector<const channel_record*> mine;
    for (const auto& [_, ch] : state.channels)
        if (ch.members.contains(user))
            mine.push_back(&ch);
    std::ranges::sort(mine, [](const channel_record* a, const channel_record* b) {
        return a->info.last_message_timestamp.value_or(time_point{}) > b->info.last_message_timestamp.value_or(time_point{});
    });
    std::vector<std::string> out;
    for (const channel_record* ch : mine) {
        if (out.size() == 50)
            break;
        json::object d;
        d["Channel"] = to_value(messaging::channel_summary{.name = ch->info.name, .channel_arn = ch->info.channel_arn,
                                                           .mode = ch->info.mode, .privacy = ch->info.privacy,
                                                           .metadata = ch->info.metadata,
                                                           .last_message_timestamp = ch->info.last_message_timestamp},
                                json_options{.iso8601_timestamps = true});
        json::array messages;
        std::size_t visible = 0;
        for (auto it = ch->messages.rbegin(); it != ch->messages.rend(); ++it) {
            if (it->deleted || it->m.status->value != messaging::channel_message_status::sent)
                continue;
            if (++visible > 20)
                break;
            messages.push_back(to_value(it->m, json_options{.iso8601_timestamps = true}));
        }
        d["ChannelMessages"] = std::move(messages);
        d["ChannelMessagesHasMore"] = visible > 20;
        json::array members;
        for (const auto& [arn, _] : ch->members) {
            if (members.size() == 30)
                break;
            members.push_back(to_value(messaging::channel_membership_summary{.member = identity_of(state, arn)}));
        }
        d["ChannelMemberships"] = std::move(members);
        if (const auto& rm = ch->members.at(user).read_marker)
            d["ReadMarkerTimestamp"] = to_value(messaging::app_instance_user_membership_summary{.read_marker_timestamp = rm},
                                                json_options{.iso8601_timestamps = true})
                                           .at("ReadMarkerTimestamp");
        out.push_back(json::serialize(d));
    }
    return out;
}

server::server(server_options opts)
    : impl_(std::make_shared<impl>(std::move(opts))) {
    auto& self = *impl_;
    if (!self.opts.state_file.empty()) {
        std::ifstream in(self.opts.state_file);
        if (in) {
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            boost::system::error_code ec;
            const auto v = json::parse(text, ec);
            if (ec)
                throw std::runtime_error("chime-local: the state file " + self.opts.state_file + " is not JSON: " + ec.message());
            self.state.load(v);
        }
    }
    if (self.opts.tls) {
        std::vector<std::string> names{"localhost"}, ips{"127.0.0.1"};
        boost::system::error_code ec;
        if (asio::ip::make_address(self.opts.host, ec), ec)
            names.push_back(self.opts.host);
        else if (self.opts.host != "127.0.0.1")
            ips.push_back(self.opts.host);
        const auto cert = make_self_signed(names, ips);
        self.cert_pem = cert.cert_pem;
        self.ssl.emplace(asio::ssl::context::tls_server);
        self.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                              asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        self.ssl->use_certificate_chain(asio::buffer(cert.cert_pem));
        self.ssl->use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
    }
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(self.opts.host, ec), self.opts.port);
    if (ec)
        throw std::runtime_error("chime-local: --host " + self.opts.host + " is not an IP address");
    self.acceptor.open(ep.protocol());
    self.acceptor.set_option(tcp::acceptor::reuse_address(true));
    self.acceptor.bind(ep, ec);
    if (ec)
        throw std::runtime_error("chime-local: cannot listen on " + self.opts.host + ":" + std::to_string(self.opts.port) +
                                 ": " + ec.message());
    self.acceptor.listen(asio::socket_base::max_listen_connections);
    self.port = self.acceptor.local_endpoint().port();
    asio::co_spawn(asio::make_strand(self.ioc), self.accept_loop(), asio::detached);
    for (unsigned i = 0; i < std::max(1u, self.opts.threads); ++i)
        self.threads.emplace_back([&self] { self.ioc.run(); });
}

server::~server() { stop(); }

void server::stop() {
    auto& self = *impl_;
    if (self.stopped.exchange(true))
        return;
    asio::post(self.acceptor.get_executor(), [&self] {
        boost::system::error_code ec;
        self.acceptor.close(ec);
    });
    self.sessions.drop();
    self.ioc.stop();
    for (auto& t : self.threads)
        t.join();
    if (!self.opts.state_file.empty()) {
        std::lock_guard lock(self.state_mutex);
        std::ofstream out(self.opts.state_file, std::ios::trunc);
        out << json::serialize(self.state.save()) << '\n';
    }
}

std::uint16_t server::port() const { return impl_->port; }

std::string server::url() const {
    return std::string(impl_->opts.tls ? "https" : "http") + "://" + impl_->opts.host + ":" + std::to_string(port());
}

const std::string& server::certificate_pem() const { return impl_->cert_pem; }

json::value server::stats() const { return impl_->stats(); }

void server::set_faults(fault_options f) { impl_->faults.set(std::move(f)); }

std::size_t server::drop_sessions(const std::string& user_arn) { return impl_->sessions.drop(user_arn); }

std::size_t server::close_sessions(int code, const std::string& reason, const std::string& user_arn) {
    return impl_->sessions.close(code, reason, user_arn);
}

} // namespace chime::local
