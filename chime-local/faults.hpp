#pragma once
// Fault injection state: token buckets (global and per operation) and the random draws, thread-safe.

#include "chime-local/server.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace chime::local {

class fault_injector {
public:
    enum class action { none, throttle, error_500, error_503, close_before_response, close_mid_response };

    explicit fault_injector(fault_options f = {}) { set(std::move(f)); }

    void set(fault_options f);
    fault_options get() const;

    /// What to do with one request to `operation`, drawn now.
    action decide(std::string_view operation, std::chrono::steady_clock::time_point now);
    std::chrono::milliseconds latency() const;

private:
    struct bucket {
        rate_limit limit;
        double tokens = 0;
        std::chrono::steady_clock::time_point last{};
        bool take(std::chrono::steady_clock::time_point now);
    };
    mutable std::mutex mutex_;
    fault_options opts_;
    bucket global_;
    std::map<std::string, bucket, std::less<>> per_op_;
    std::mt19937_64 rng_{0x5eed};
};

} // namespace chime::local
