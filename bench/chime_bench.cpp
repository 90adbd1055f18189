// chime-bench: the project's benchmarks, one subcommand each. Figures go to stdout, one line per
// configuration, so that scripts can collect them. Never run by the test suite.
//
//   chime-bench sigv4 [--iterations N]   cost of signing a SendChannelMessage-shaped request
#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <sys/resource.h>

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

template <class F>
void measure(const char* name, long iterations, F&& op) {
    for (long i = 0; i < iterations / 10; ++i) // warm-up: caches, allocator, OpenSSL contexts
        op(i);
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    for (long i = 0; i < iterations; ++i)
        op(i);
    const double cpu = cpu_seconds() - cpu0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("sigv4 op=%s iterations=%ld wall_s=%.3f cpu_s=%.3f us_per_op=%.3f\n", name, iterations, wall,
                cpu, cpu * 1e6 / static_cast<double>(iterations));
}

int sigv4(long iterations) {
    using namespace chime;
    const auth::credentials creds{"AKIDEXAMPLE",
                                  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                  "IQoJb3JpZ2luX2VjEXAMPLE+/token==",
                                  {},
                                  ""};
    const std::string channel = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/channel/def";
    const std::string bearer = "arn:aws:chime:us-east-1:111122223333:app-instance/abc/user/alice";
    const std::string path = "/channels/" + uri_encode(channel) + "/messages";
    const std::string body =
        R"({"Content":"hello world","Type":"STANDARD","Persistence":"PERSISTENT","ClientRequestToken":"9f8a2c1e-1111-4222-8333-944445555666"})";
    const auth::header_field headers[] = {{"host", "messaging-chime.us-east-1.amazonaws.com"},
                                          {"content-type", "application/json"},
                                          {"x-amz-chime-bearer", bearer}};
    const auth::signer signer;
    const auto t0 = std::chrono::system_clock::now();
    std::size_t sink = 0;

    measure("payload_hash", iterations, [&](long) { sink += auth::payload_hash(body).size(); });
    measure("sign", iterations, [&](long i) {
        const std::string hash = auth::payload_hash(body);
        const auth::signable_request req{
            .method = "POST", .path = path, .headers = headers, .payload_hash = hash};
        const auth::signing_params p{.region = "us-east-1",
                                     .service = "chime",
                                     .time = t0 + std::chrono::seconds(i % 60),
                                     .add_content_sha256 = true};
        sink += signer.sign(req, creds, p).authorization.size();
    });
    const auth::header_field ws_host{"host", "node001.ue1.ws-messaging.chime.aws"};
    const std::string ws_query = "userArn=" + uri_encode(bearer) + "&sessionId=1";
    measure("presign", iterations, [&](long i) {
        const auth::signable_request req{
            .method = "GET", .path = "/connect", .query = ws_query, .headers = {&ws_host, 1}};
        const auth::signing_params p{.region = "us-east-1",
                                     .service = "chime",
                                     .time = t0 + std::chrono::seconds(i % 60),
                                     .expires = std::chrono::seconds(10)};
        sink += signer.presign(req, creds, p).query.size();
    });
    return sink == 0; // keeps the work observable
}

} // namespace

int main(int argc, char** argv) {
    const std::string_view cmd = argc > 1 ? argv[1] : "";
    long iterations = 200000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (std::string_view(argv[i]) == "--iterations") {
            iterations = std::strtol(argv[i + 1], nullptr, 10);
        } else {
            std::fprintf(stderr, "chime-bench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (iterations <= 0) {
        std::fprintf(stderr, "chime-bench: --iterations must be a positive number\n");
        return 2;
    }
    if (cmd == "sigv4")
        return sigv4(iterations);
    std::fprintf(stderr, "usage: chime-bench sigv4 [--iterations N]\n");
    return 2;
}
