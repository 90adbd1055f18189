#pragma once
// Helpers shared by the tests: files, scratch directories, and running a coroutine to completion.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <filesystem>
#include <string>

namespace chime::test {

/// The test/data folder of the source tree.
std::filesystem::path data_dir();

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, std::string_view content);

/// A fresh, empty directory that is removed with the object.
class scratch_dir {
public:
    scratch_dir();
    ~scratch_dir();
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// Runs `aw` on a fresh io_context until everything completes; rethrows what the coroutine throws.
/// Fails (throws std::logic_error) if the coroutine never completed: a hang in disguise.
template <class T>
T run(boost::asio::awaitable<T> aw) {
    boost::asio::io_context ioc;
    auto fut = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    ioc.run();
    if (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        throw std::logic_error("test coroutine did not complete");
    return fut.get();
}

} // namespace chime::test
