// The foundation demo: resolve configuration and credentials the way the AWS CLI does, sign a
// SendChannelMessage request (ARN label double-encoded in the canonical URI, x-amz-chime-bearer
// signed) and presign a messaging-session websocket URL. Nothing is sent anywhere.
#include <chime/auth/credentials_provider.hpp>
#include <chime/auth/sigv4.hpp>
#include <chime/error.hpp>
#include <chime/uri_encoding.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

namespace asio = boost::asio;

int main() try {
    const chime::aws_config cfg = chime::load_config("Chime SDK Messaging");
    std::cout << "profile:  " << cfg.profile.value << " (" << cfg.profile.source << ")\n"
              << "region:   "
              << (cfg.region ? cfg.region->value + " (" + cfg.region->source + ")" : "not set")
              << "\nendpoint: "
              << (cfg.endpoint_url ? cfg.endpoint_url->value + " (" + cfg.endpoint_url->source + ")"
                                   : "AWS default")
              << "\n";

    asio::io_context ioc;
    auto provider = chime::auth::make_default_provider(cfg);
    auto pending = asio::co_spawn(ioc, provider->get(), asio::use_future);
    ioc.run();
    chime::auth::credentials_ptr creds;
    try {
        creds = pending.get();
    } catch (const chime::exception& e) {
        std::cout << "\n" << e.what() << "\n-> continuing with AWS's documented example keys\n";
        creds = std::make_shared<const chime::auth::credentials>(chime::auth::credentials{
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "example"});
    }
    std::cout << "\n" << *creds << "\n";

    const std::string region = cfg.region ? cfg.region->value : "us-east-1";
    const std::string host = "messaging-chime." + region + ".amazonaws.com";
    const std::string channel = "arn:aws:chime:" + region + ":111122223333:app-instance/abc/channel/def";
    const std::string bearer = "arn:aws:chime:" + region + ":111122223333:app-instance/abc/user/alice";
    const std::string path = "/channels/" + chime::uri_encode(channel) + "/messages";
    const std::string body = R"({"Content":"hello","Type":"STANDARD","Persistence":"PERSISTENT"})";
    const std::string body_hash = chime::auth::payload_hash(body);
    const chime::auth::header_field headers[] = {
        {"host", host}, {"content-type", "application/json"}, {"x-amz-chime-bearer", bearer}};

    const chime::auth::signer signer;
    const chime::auth::signing_params params{.region = region,
                                             .service = "chime",
                                             .time = std::chrono::system_clock::now(),
                                             .add_content_sha256 = true};
    const chime::auth::signable_request req{
        .method = "POST", .path = path, .headers = headers, .payload_hash = body_hash};
    const auto sig = signer.sign(req, *creds, params);
    std::cout << "\nPOST https://" << host << path << "\n\ncanonical request:\n"
              << sig.canonical_request << "\n\nstring to sign:\n"
              << sig.string_to_sign << "\n\nAuthorization: " << sig.authorization << "\n";

    const chime::auth::header_field ws_host{"host", "node001.ue1.ws-messaging.chime.aws"};
    const std::string ws_query = "userArn=" + chime::uri_encode(bearer) + "&sessionId=1";
    auto ws_params = params;
    ws_params.add_content_sha256 = false;
    ws_params.expires = std::chrono::seconds(10);
    const chime::auth::signable_request ws{
        .method = "GET", .path = "/connect", .query = ws_query, .headers = {&ws_host, 1}};
    std::cout << "\nmessaging session: wss://" << ws_host.value << "/connect?"
              << signer.presign(ws, *creds, ws_params).query << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "sigv4_demo: " << e.what() << "\n";
    return 1;
}
