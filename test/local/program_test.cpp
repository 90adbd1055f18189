// build/bin/chime-local as a program: the first stdout line names the URL once the --cert-out file is
// complete, it serves signed requests, exits cleanly on SIGTERM and keeps its state in --state-file;
// bad flags are named.

#include "support/test_support.hpp"

#include <chime/identity/client.hpp>

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace chime;
namespace asio = boost::asio;
namespace id = chime::identity;

namespace {

struct program {
    pid_t pid = -1;
    FILE* out = nullptr;

    explicit program(std::vector<std::string> args) {
        int fds[2];
        BOOST_REQUIRE(::pipe(fds) == 0);
        pid = ::fork();
        BOOST_REQUIRE(pid >= 0);
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive a crashed parent (it would hold the pipe open)
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
            std::vector<char*> argv{const_cast<char*>(CHIME_LOCAL)};
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(CHIME_LOCAL, argv.data());
            std::_Exit(127);
        }
        ::close(fds[1]);
        out = ::fdopen(fds[0], "r");
    }
    ~program() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (out)
            std::fclose(out);
    }
    std::string line() {
        char buf[512];
        return std::fgets(buf, sizeof buf, out) ? std::string(buf) : std::string();
    }
    int stop(int sig = SIGTERM) {
        ::kill(pid, sig);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
};

client_config config_for(const std::string& url, const std::string& ca) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint_url = url;
    c.credentials = auth::make_static_provider({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""});
    c.transport.pool.tls.ca_file = ca;
    return c;
}

std::string url_of(const std::string& line) {
    const std::string prefix = "chime-local listening on ";
    BOOST_REQUIRE(line.starts_with(prefix));
    return line.substr(prefix.size(), line.size() - prefix.size() - 1);
}

} // namespace

BOOST_AUTO_TEST_SUITE(chime_local_program)

BOOST_AUTO_TEST_CASE(serves_and_keeps_state_across_restarts) {
    test::scratch_dir dir;
    const auto cert = (dir.path() / "cert.pem").string();
    const auto state = (dir.path() / "state.json").string();
    std::string arn;
    {
        program p({"--port", "0", "--cert-out", cert, "--state-file", state});
        const std::string url = url_of(p.line());
        BOOST_TEST(url.starts_with("https://127.0.0.1:"));
        BOOST_TEST(test::read_file(cert).find("-----END CERTIFICATE-----") != std::string::npos); // complete
        arn = test::run([&]() -> asio::awaitable<std::string> {
            id::client c(co_await asio::this_coro::executor, config_for(url, cert));
            id::create_app_instance_request r{.name = "kept"};
            co_return *(co_await c.create_app_instance(std::move(r))).app_instance_arn;
        }());
        BOOST_TEST(p.stop(SIGTERM) == 0);
    }
    BOOST_TEST(std::filesystem::exists(state));
    program again({"--cert-out", cert, "--state-file", state, "--threads", "2"});
    const std::string url = url_of(again.line());
    const auto name = test::run([&]() -> asio::awaitable<std::string> {
        id::client c(co_await asio::this_coro::executor, config_for(url, cert));
        id::describe_app_instance_request r{.app_instance_arn = arn};
        co_return *(co_await c.describe_app_instance(std::move(r))).app_instance->name;
    }());
    BOOST_TEST(name == "kept");
    BOOST_TEST(again.stop(SIGINT) == 0);
}

BOOST_AUTO_TEST_CASE(plain_http_and_bad_flags) {
    program plain({"--no-tls"});
    BOOST_TEST(url_of(plain.line()).starts_with("http://127.0.0.1:"));
    BOOST_TEST(plain.stop() == 0);

    program bad({"--error-503", "1.5"});
    BOOST_TEST(bad.line().empty()); // nothing on stdout
    BOOST_TEST(bad.stop(0) == 2);   // signal 0: just reap it
}

BOOST_AUTO_TEST_SUITE_END()
