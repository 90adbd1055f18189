// chime-bench sigv4: CPU per SigV4 operation on a SendChannelMessage-shaped request.
#include "bench_util.hpp"

#include <chime/auth/sigv4.hpp>
#include <chime/uri_encoding.hpp>

#include <chrono>
#include <cstdio>

namespace chime::bench {
namespace {

template <class F>
void measure(const char* name, long iterations, F&& op) {
    for (long i = 0; i < iterations / 10; ++i) // warm-up: caches, allocator, OpenSSL contexts
        op(i);
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds(true);
    for (long i = 0; i < iterations; ++i)
        op(i);
    const double cpu = cpu_seconds(true) - cpu0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("sigv4 op=%s iterations=%ld wall_s=%.3f cpu_s=%.3f us_per_op=%.3f\n", name, iterations, wall,
                cpu, cpu * 1e6 / static_cast<double>(iterations));
}

} // namespace

int sigv4(const flags& f) {
    const long iterations = f.number("iterations");
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

} // namespace chime::bench
