// chime-bench: the project's benchmarks, one subcommand each. Figures go to stdout, one line per
// configuration, so that scripts can collect them. Never run by the test suite.
//
//   chime-bench sigv4 [--iterations N]
//       CPU per SigV4 sign / presign of a SendChannelMessage-shaped request.
//   chime-bench transport [--calls N] [--concurrency 1,32,256] [--max-connections M] [--only
//   library|baseline]
//       The library's request path against a local keep-alive TLS server, beside a hand-written
//       Beast loop doing the same signed exchange; client CPU per call and the ratio.
//   chime-bench local-server [--calls N] [--concurrency 32] [--threads T] [--server chime-local|floor]
//       chime-local's own CPU per SendChannelMessage (its cpu_seconds / requests_total counters), with
//       chime-local running as the separate program build/bin/chime-local; `--server floor` measures a
//       minimal Beast TLS server answering the same exchange, the floor under any server.
//   chime-bench calls [--endpoint URL] [--op send-channel-message|list-channel-messages|get-channel-message]
//       [--calls N] [--concurrency C] [--ca-bundle F | --no-verify-ssl] [--channel-arn ARN --bearer ARN]
//       [--retry-mode standard|adaptive] [--max-connections M] [--local-args "chime-local flags"]
//       [--side-op list-channels --side-rate R] [--client library|raw-beast|both]
//       N calls of one operation from C coroutines; without --endpoint against a spawned chime-local
//       (given --local-args, e.g. "--throttle-rps 500 --throttle-burst 50"). One line: wall and CPU
//       time, latency percentiles, connections, errors, goodput, throttled attempts. `--client raw-beast`
//       runs the floor instead (a hand-written signed Beast loop, the same exchange, no library), `both`
//       runs the floor first and adds the library's CPU relative to it (cpu_vs_raw_beast).
//   chime-bench inflight [--calls N] [--max-connections M] [--latency-ms L]
//       N SendChannelMessage calls started at once against chime-local answering after L ms, through a
//       pool of M connections: peak resident memory and bytes per call in flight.
//   chime-bench pagination [--items N] [--page-size P]
//       An item stream over N messages of one channel in chime-local, P per page, with and without
//       prefetch: items/s and the client's resident memory after N/10 and N items.
//   chime-bench session [--messages N] [--sessions S] [--fanout-messages M] [--idle I] [--local-args FLAGS]
//       Messaging sessions against chime-local: latency from SendChannelMessage to the event at another
//       session (p50/p99 over N), events/s delivered to S sessions, resident memory per idle session.
#include "bench_util.hpp"

#include <cstdio>
#include <exception>
#include <string_view>

int main(int argc, char** argv) {
    const std::string_view cmd = argc > 1 ? argv[1] : "";
    try {
        if (cmd == "sigv4")
            return chime::bench::sigv4(chime::bench::flags(argc, argv, {{"iterations", "200000"}}));
        if (cmd == "transport")
            return chime::bench::transport(chime::bench::flags(argc, argv,
                                                               {{"calls", "20000"},
                                                                {"concurrency", "1,32,256"},
                                                                {"max-connections", "64"},
                                                                {"only", "both"}}));
        if (cmd == "local-server")
            return chime::bench::local_server(
                chime::bench::flags(argc, argv, {{"calls", "20000"}, {"concurrency", "32"}, {"threads", "1"}, {"server", "chime-local"}}), argv[0]);
        if (cmd == "calls")
            return chime::bench::calls(chime::bench::flags(argc, argv,
                                                           {{"endpoint", ""},
                                                            {"op", "send-channel-message"},
                                                            {"calls", "20000"},
                                                            {"concurrency", "256"},
                                                            {"ca-bundle", ""},
                                                            {"channel-arn", ""},
                                                            {"bearer", ""},
                                                            {"retry-mode", "standard"},
                                                            {"max-connections", "64"},
                                                            {"local-args", ""},
                                                            {"side-op", ""},
                                                            {"client", "library"},
                                                            {"side-rate", "5"}},
                                                           {"no-verify-ssl"}),
                                       argv[0]);
        if (cmd == "session")
            return chime::bench::session(chime::bench::flags(argc, argv,
                                                             {{"messages", "10000"},
                                                              {"sessions", "200"},
                                                              {"fanout-messages", "500"},
                                                              {"idle", "1000"},
                                                              {"local-args", ""}}),
                                         argv[0]);
        if (cmd == "inflight")
            return chime::bench::inflight(
                chime::bench::flags(argc, argv, {{"calls", "10000"}, {"max-connections", "64"}, {"latency-ms", "50"}}),
                argv[0]);
        if (cmd == "pagination")
            return chime::bench::pagination(
                chime::bench::flags(argc, argv, {{"items", "100000"}, {"page-size", "50"}}), argv[0]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "chime-bench %s: %s\n", argv[1], e.what());
        return 2;
    }
    std::fprintf(stderr, "usage: chime-bench sigv4 [--iterations N]\n"
                         "       chime-bench transport [--calls N] [--concurrency 1,32,256] "
                         "[--max-connections M] [--only library|baseline]\n"
                         "       chime-bench local-server [--calls N] [--concurrency 32] [--threads T] "
                         "[--server chime-local|floor]\n"
                         "       chime-bench calls [--endpoint URL] [--op send-channel-message|list-channel-messages|"
                         "get-channel-message] [--calls N] [--concurrency C] [--ca-bundle F | --no-verify-ssl] "
                         "[--channel-arn ARN --bearer ARN] [--retry-mode standard|adaptive] [--max-connections M] "
                         "[--local-args FLAGS] [--side-op list-channels --side-rate R] [--client library|raw-beast|both]\n"
                         "       chime-bench inflight [--calls N] [--max-connections M] [--latency-ms L]\n"
                         "       chime-bench pagination [--items N] [--page-size P]\n"
                         "       chime-bench session [--messages N] [--sessions S] [--fanout-messages M] [--idle I] [--local-args FLAGS]\n");
    return 2;
}
