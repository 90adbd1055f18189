// An async HTTP server whose handler co_awaits Chime calls per request: GET /rooms/{id} answers the room
// (the `chime` service's GetRoom) as JSON, 404 when there is none, and 504 when Chime does not answer within
// the request's budget (a deadline over every attempt of the call, retries included).
//
// The server runs on an io_context with two threads; each connection is a coroutine on a strand of its own;
// one Chime client (thread-safe, one connection pool) serves them all.
//
//   async_server             serves on 127.0.0.1, asks itself three questions (a room, a missing room, and
//                            a room while chime-local answers slower than the budget), prints the answers, exits
//   async_server --serve     keeps serving; prints its URL and the room it created
//
// Without AWS_ENDPOINT_URL or credentials it runs against chime-local in-process. Against AWS set
// CHIME_ACCOUNT_ID to an Amazon Chime account whose rooms it may read and create one in.

#include "example_support.hpp"

#include <chime/classic/client.hpp>
#include <chime/classic/model_json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <thread>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace cl = chime::classic;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct app {
    cl::client chime;            // shared by every connection: thread-safe
    std::string account;
    std::chrono::milliseconds budget{500}; // per request
};

// One request: the room as JSON, or the error as a status.
asio::awaitable<http::response<http::string_body>> answer(app& a, const http::request<http::string_body>& req) {
    http::response<http::string_body> res(http::status::ok, req.version());
    res.set(http::field::content_type, "application/json");
    const std::string_view target = req.target();
    if (req.method() != http::verb::get || !target.starts_with("/rooms/") || target.size() == 7) {
        res.result(http::status::not_found);
        res.body() = R"({"error":"GET /rooms/{id}"})";
        co_return res;
    }
    chime::call_options within;
    within.timeout = a.budget; // every attempt and backoff of the call together
    cl::get_room_request get{.account_id = a.account, .room_id = std::string(target.substr(7))};
    auto bounded = a.chime.with(within); // a cheap copy sharing the pool
    const auto room = co_await bounded.get_room(std::move(get), chime::no_throw);
    if (room) {
        boost::json::value v;
        to_json(v, *room->room);
        res.body() = boost::json::serialize(v);
    } else if (room.error().code == chime::condition::not_found) {
        res.result(http::status::not_found);
        res.body() = R"({"error":"no such room"})";
    } else if (room.error().code == chime::errc::deadline_exceeded) {
        res.result(http::status::gateway_timeout);
        res.body() = R"({"error":"Chime did not answer in time"})";
    } else {
        res.result(http::status::bad_gateway);
        boost::json::object e{{"error", room.error().message()}};
        res.body() = boost::json::serialize(e);
    }
    co_return res;
}

asio::awaitable<void> connection(app& a, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        stream.expires_after(30s); // an idle client does not hold the connection for ever
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, tuple_awaitable);
        if (ec)
            co_return;
        auto res = co_await answer(a, req);
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
        if (wec || !res.keep_alive())
            co_return;
    }
}

asio::awaitable<void> listen(app& a, tcp::acceptor& acceptor) {
    for (;;) {
        auto strand = asio::make_strand(acceptor.get_executor()); // the connection's own
        auto [ec, socket] = co_await acceptor.async_accept(strand, tuple_awaitable);
        if (ec)
            co_return;
        asio::co_spawn(strand, connection(a, std::move(socket)), asio::detached);
    }
}

// The self-test: three questions to the server, over HTTP.
asio::awaitable<void> ask(std::uint16_t port, std::string target, std::string what) {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(10s);
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1");
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    std::cout << what << ": GET " << target << " -> " << res.result_int() << " " << res.body() << "\n";
}

// A room to serve: in a fresh account on chime-local, or in CHIME_ACCOUNT_ID's account on AWS.
asio::awaitable<std::string> make_room(app& a, bool local) {
    if (local) {
        cl::create_account_request acc{.name = "async_server example"};
        a.account = (co_await a.chime.create_account(std::move(acc))).account->account_id;
    } else if (const char* id = std::getenv("CHIME_ACCOUNT_ID")) {
        a.account = id;
    } else {
        throw std::invalid_argument("against AWS, set CHIME_ACCOUNT_ID to an Amazon Chime account id");
    }
    cl::create_room_request r{.account_id = a.account, .name = "lobby"};
    co_return *(co_await a.chime.create_room(std::move(r))).room->room_id;
}

asio::awaitable<void> self_test(std::uint16_t port, std::string room, example::target& where) {
    co_await ask(port, "/rooms/" + room, "a room");
    co_await ask(port, "/rooms/no-such-room", "a missing room");
    if (where.local) {
        chime::local::fault_options slow;
        slow.latency = 2s; // slower than the 500 ms budget
        where.local->set_faults(slow);
        co_await ask(port, "/rooms/" + room, "a slow Chime");
        where.local->set_faults({});
    }
}

} // namespace

int main(int argc, char** argv) try {
    const bool serve = argc > 1 && std::string_view(argv[1]) == "--serve";
    if (argc > 2 || (argc == 2 && !serve))
        throw std::invalid_argument("usage: async_server [--serve]");
    example::target where;
    asio::io_context ioc(2);
    app a{cl::client(ioc.get_executor(), where.config), {}, 500ms};

    auto setup = asio::co_spawn(ioc, make_room(a, where.local.has_value()), asio::use_future);
    ioc.run();
    const std::string room = setup.get();
    ioc.restart();

    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    asio::co_spawn(ioc, listen(a, acceptor), asio::detached);
    std::thread second([&ioc] { ioc.run(); });
    if (serve) {
        std::cout << "serving on http://127.0.0.1:" << port << "/rooms/" << room << "\n";
        ioc.run();
    } else {
        auto questions = asio::co_spawn(ioc, self_test(port, room, where), asio::use_future);
        std::thread first([&ioc] { ioc.run(); });
        questions.wait();
        ioc.stop(); // suspended connections are destroyed with the io_context
        first.join();
        questions.get();
    }
    second.join();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "async_server: " << e.what() << "\n";
    return 1;
}
