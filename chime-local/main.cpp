// build/bin/chime-local: the emulator as a program. Its first line on stdout, written once the
// --cert-out file is complete, is "chime-local listening on https://127.0.0.1:PORT".

#include "chime-local/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <sys/resource.h>

#ifdef CHIME_LOCAL_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

constexpr std::string_view usage = R"(usage: chime-local [options]
  --host ADDR                 address to listen on (default 127.0.0.1)
  --port N                    port; 0 = an ephemeral one (default 0)
  --tls | --no-tls            HTTPS with a self-signed certificate made at start (default) or plain HTTP
  --cert-out FILE             write that certificate (PEM) here, for clients' CA bundles
  --access-key ID             the only access key accepted (default AKIDEXAMPLE)
  --secret-key KEY            its secret (default the AWS example secret)
  --threads N                 server threads (default 1)
  --state-file FILE           load state from FILE at start, save it there on SIGINT/SIGTERM
  --throttle-rps R            rate limit for all operations together (429 ThrottledClientException beyond it)
  --throttle-burst B          burst size of that limit (default R)
  --throttle-op NAME=R[:B]    rate limit for one operation (repeatable)
  --error-500 P               probability of 500 ServiceFailureException per request
  --error-503 P               probability of 503 ServiceUnavailableException per request
  --latency-ms N              added before every answer
  --close-before-response P   probability of closing the connection instead of answering (the operation does not run)
  --close-mid-response P      probability of closing the connection halfway through the answer (the operation ran)
  --ws-idle-timeout S         websocket ping after S seconds of silence; close when unanswered (default 30)
Control routes (no signature): GET /_chime_local/stats, GET|POST /_chime_local/faults, POST /_chime_local/ws/drop,
  POST /_chime_local/ws/close?code=N&reason=R (optional &userArn=ARN);
  faults JSON also takes "ws_reject_code" (accept, then close with it) and "ws_unresponsive" (never answer pings)
)";

// Named in --help: the program links mimalloc when the build found it (chime-local/CMakeLists.txt).
std::string allocator_name() {
#ifdef CHIME_LOCAL_MIMALLOC
    const int v = mi_version(); // 209 for 2.0.9
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." + std::to_string(v % 10);
#else
    return "the C library's malloc";
#endif
}

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "chime-local: " << message << "\n(run chime-local --help for the options)\n";
    std::exit(2);
}

double to_double(std::string_view flag, std::string_view v, double lo, double hi) {
    double d = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || p != v.data() + v.size() || d < lo || d > hi) {
        std::ostringstream m;
        m << flag << ": '" << v << "' is not a number in [" << lo << ", " << hi << "]";
        fail(m.str());
    }
    return d;
}

} // namespace

int main(int argc, char** argv) {
    // Every websocket session is a socket: lift the soft limit of open files to the hard one.
    if (rlimit r{}; getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
    chime::local::server_options opts;
    std::string cert_out;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc)
                fail(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::cout << usage << "Memory allocator: " << allocator_name() << "\n";
            return 0;
        } else if (a == "--host") {
            opts.host = value();
        } else if (a == "--port") {
            opts.port = static_cast<std::uint16_t>(to_double(a, value(), 0, 65535));
        } else if (a == "--tls") {
            opts.tls = true;
        } else if (a == "--no-tls") {
            opts.tls = false;
        } else if (a == "--cert-out") {
            cert_out = value();
        } else if (a == "--access-key") {
            opts.access_key = value();
        } else if (a == "--secret-key") {
            opts.secret_key = value();
        } else if (a == "--threads") {
            opts.threads = static_cast<unsigned>(to_double(a, value(), 1, 256));
        } else if (a == "--state-file") {
            opts.state_file = value();
        } else if (a == "--throttle-rps") {
            opts.faults.throttle.rate = to_double(a, value(), 0, 1e9);
            if (opts.faults.throttle.burst == 0)
                opts.faults.throttle.burst = opts.faults.throttle.rate;
        } else if (a == "--throttle-burst") {
            opts.faults.throttle.burst = to_double(a, value(), 0, 1e9);
        } else if (a == "--throttle-op") {
            const std::string_view v = value();
            const auto eq = v.find('=');
            if (eq == std::string_view::npos || eq == 0)
                fail("--throttle-op: expected NAME=RATE[:BURST], got '" + std::string(v) + "'");
            const auto spec = v.substr(eq + 1);
            const auto colon = spec.find(':');
            chime::local::rate_limit l{to_double(a, spec.substr(0, colon), 0, 1e9), 0};
            l.burst = colon == std::string_view::npos ? l.rate : to_double(a, spec.substr(colon + 1), 0, 1e9);
            opts.faults.per_operation[std::string(v.substr(0, eq))] = l;
        } else if (a == "--error-500") {
            opts.faults.error_500 = to_double(a, value(), 0, 1);
        } else if (a == "--error-503") {
            opts.faults.error_503 = to_double(a, value(), 0, 1);
        } else if (a == "--latency-ms") {
            opts.faults.latency = std::chrono::milliseconds(static_cast<long>(to_double(a, value(), 0, 600000)));
        } else if (a == "--close-before-response") {
            opts.faults.close_before_response = to_double(a, value(), 0, 1);
        } else if (a == "--close-mid-response") {
            opts.faults.close_mid_response = to_double(a, value(), 0, 1);
        } else if (a == "--ws-idle-timeout") {
            opts.ws_idle_timeout = std::chrono::seconds(static_cast<long>(to_double(a, value(), 1, 86400)));
        } else {
            fail("unknown option '" + std::string(a) + "'");
        }
    }
    if (!cert_out.empty() && !opts.tls)
        fail("--cert-out needs --tls");
    try {
        // Signals are caught before the first line goes out: a script may stop us as soon as it reads it.
        boost::asio::io_context signals_ctx;
        boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
        signals.async_wait([](const boost::system::error_code&, int) {});
        chime::local::server server(opts);
        if (!cert_out.empty()) {
            std::ofstream out(cert_out, std::ios::trunc);
            out << server.certificate_pem();
            out.close();
            if (!out)
                fail("cannot write the certificate to " + cert_out);
        }
        std::cout << "chime-local listening on " << server.url() << std::endl; // flushed: scripts read the port
        signals_ctx.run();
        server.stop();
        std::cerr << "chime-local: stopped\n";
    } catch (const std::exception& e) {
        fail(e.what());
    }
    return 0;
}
