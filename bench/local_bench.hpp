#pragma once
// Shared by the subcommands that run against chime-local: starting it as a separate program (or the
// minimal floor server), and the set-up calls.

#include <chime/client_config.hpp>
#include <chime/messaging/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace chime::bench {

/// build/bin/chime-local (or the floor server) in a child process; stopped with SIGTERM on destruction.
struct spawned_server {
    pid_t pid = -1;
    std::string url, cert;
    std::filesystem::path dir;
    FILE* out = nullptr;
    ~spawned_server();
};
/// `extra` arguments go to chime-local (e.g. `--throttle-rps 500`).
std::unique_ptr<spawned_server> spawn_server(const char* self, bool floor, const std::string& threads,
                                             const std::vector<std::string>& extra = {});
client_config local_config(const spawned_server& s);

/// An app instance, a user and a channel: what SendChannelMessage and the listings need.
struct target {
    std::string channel, bearer;
};
boost::asio::awaitable<target> prepare(const client_config& cfg);
target prepare_now(const client_config& cfg); ///< the same, on an io_context of its own

/// `calls` SendChannelMessage calls from `conc` coroutines; the number that failed.
boost::asio::awaitable<long> run_calls(messaging::client& m, const target& t, long calls, long conc);

} // namespace chime::bench
