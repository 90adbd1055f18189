// Signs a request with the installed library and checks the result against a known signature.
#include <chime/auth/credentials_provider.hpp>
#include <chime/auth/sigv4.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>

int main() {
    using namespace std::chrono;
    boost::asio::io_context ioc;
    auto provider =
        chime::auth::make_static_provider({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"});
    auto creds = boost::asio::co_spawn(ioc, provider->get(), boost::asio::use_future);
    ioc.run();

    const chime::auth::header_field host{"host", "example.amazonaws.com"};
    const chime::auth::signable_request req{.method = "GET", .path = "/", .headers = {&host, 1}};
    const chime::auth::signing_params params{.region = "us-east-1",
                                             .service = "service",
                                             .time = sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36}};
    const auto sig = chime::auth::signer{}.sign(req, *creds.get(), params);
    const bool ok = sig.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    std::cout << (ok ? "consumer OK" : "consumer FAILED: " + sig.signature) << "\n";
    return ok ? 0 : 1;
}
