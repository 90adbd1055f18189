// chimectl: the Chime APIs from the command line, with the AWS CLI's habits.
//
//   chimectl <service> <operation> [--cli-input-json JSON|file://path] [--endpoint-url URL]
//            [--region R] [--profile P] [--no-verify-ssl] [--ca-bundle FILE] [--no-paginate] [--debug]
//
// Prints the JSON response on stdout. On a service error prints the AWS error code, message and
// request id on stderr and exits 254; on a client-side error exits 255.
#include <chime/invoke.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace json = boost::json;

namespace {

constexpr int service_error_exit = 254;
constexpr int client_error_exit = 255;

const char* usage =
    "usage: chimectl <service> <operation> [--cli-input-json JSON|file://path] [--endpoint-url URL]\n"
    "                [--region R] [--profile P] [--no-verify-ssl] [--ca-bundle FILE] [--no-paginate] [--debug]\n"
    "services: chime, chime-sdk-messaging, chime-sdk-identity, chime-sdk-meetings\n"
    "operations are named as the AWS CLI names them, e.g. send-channel-message\n";

struct cli_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The AWS CLI prints JSON with 4-space indentation.
void pretty(std::ostream& os, const json::value& v, int indent = 0) {
    const std::string pad(static_cast<std::size_t>(indent) * 4, ' ');
    const std::string inner(static_cast<std::size_t>(indent + 1) * 4, ' ');
    if (const auto* o = v.if_object()) {
        if (o->empty()) {
            os << "{}";
            return;
        }
        os << "{\n";
        bool first = true;
        for (const auto& kv : *o) {
            os << (first ? "" : ",\n") << inner << json::serialize(json::value(kv.key())) << ": ";
            pretty(os, kv.value(), indent + 1);
            first = false;
        }
        os << "\n" << pad << "}";
    } else if (const auto* a = v.if_array()) {
        if (a->empty()) {
            os << "[]";
            return;
        }
        os << "[\n";
        for (std::size_t i = 0; i < a->size(); ++i) {
            os << (i ? ",\n" : "") << inner;
            pretty(os, (*a)[i], indent + 1);
        }
        os << "\n" << pad << "]";
    } else {
        os << json::serialize(v);
    }
}

json::value read_input(const std::string& arg) {
    std::string text = arg;
    if (arg.starts_with("file://")) {
        std::ifstream in(arg.substr(7), std::ios::binary);
        if (!in)
            throw cli_error("--cli-input-json: cannot read " + arg.substr(7));
        std::ostringstream s;
        s << in.rdbuf();
        text = s.str();
    }
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec)
        throw cli_error("--cli-input-json: not valid JSON (" + ec.message() + ")");
    if (!v.is_object())
        throw cli_error("--cli-input-json: expected a JSON object");
    return v;
}

} // namespace

int main(int argc, char** argv) try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 2 || args[0] == "--help" || args[0] == "help") {
        std::cerr << usage;
        return args.empty() || args[0] == "--help" || args[0] == "help" ? 0 : client_error_exit;
    }
    // Options may come before, between or after the service and operation, as with the AWS CLI.
    std::vector<std::string> positional;
    chime::client_config cfg;
    json::value input = json::object();
    bool paginate = true;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size())
                throw cli_error(a + " needs a value");
            return args[++i];
        };
        if (a == "--cli-input-json")
            input = read_input(value());
        else if (a == "--endpoint-url")
            cfg.endpoint_url = value();
        else if (a == "--region")
            cfg.region = value();
        else if (a == "--profile")
            cfg.profile = value();
        else if (a == "--ca-bundle")
            cfg.transport.pool.tls.ca_file = value(); // wins over AWS_CA_BUNDLE and the profile's ca_bundle
        else if (a == "--no-verify-ssl")
            cfg.transport.pool.tls.verify = false;
        else if (a == "--no-paginate")
            paginate = false;
        else if (a == "--debug")
            cfg.transport.logger = [](chime::log_level, std::string_view line) { std::cerr << line << "\n"; };
        else if (a.starts_with("-"))
            throw cli_error("unknown option " + a);
        else
            positional.push_back(a);
    }
    if (positional.size() != 2)
        throw cli_error("expected a service and an operation, got " + std::to_string(positional.size()) +
                        " words that are not options");
    const std::string& service = positional[0];
    const std::string& operation = positional[1];

    boost::asio::io_context ioc;
    chime::generic_client client(ioc.get_executor(), service, std::move(cfg));
    auto pending = boost::asio::co_spawn(
        ioc, paginate ? client.call_all_pages(operation, input) : client.call(operation, input), boost::asio::use_future);
    ioc.run();
    const chime::result<json::value> r = pending.get();
    if (!r) {
        const chime::error& e = r.error();
        if (e.diag && e.diag->http_status != 0) {
            std::cerr << "An error occurred (" << (e.diag->aws_code.empty() ? "HTTP " + std::to_string(e.diag->http_status) : e.diag->aws_code)
                      << ") when calling the " << client.aws_name(operation) << " operation: " << e.message()
                      << "\n"; // the message ends with the request id
            return service_error_exit;
        }
        std::cerr << "chimectl: " << e.message() << "\n";
        return client_error_exit;
    }
    pretty(std::cout, *r);
    std::cout << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chimectl: " << e.what() << "\n";
    return client_error_exit;
}
