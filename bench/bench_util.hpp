#pragma once
// Shared by chime-bench's subcommands: CPU clocks and flag parsing.

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace chime::bench {

/// User + system CPU of the calling thread (RUSAGE_THREAD) or of the whole process.
inline double cpu_seconds(bool this_thread_only) {
    rusage ru{};
    getrusage(this_thread_only ? RUSAGE_THREAD : RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/// "--name value" pairs, and valueless `switches`; unknown names and missing values are errors naming
/// the flag.
class flags {
public:
    flags(int argc, char** argv, std::map<std::string, std::string> defaults, std::set<std::string> switches = {})
        : values_(std::move(defaults)) {
        for (int i = 2; i < argc; i += 2) {
            const std::string name = argv[i];
            if (name.starts_with("--") && switches.count(name.substr(2))) {
                values_[name.substr(2)] = "1";
                --i; // no value follows
                continue;
            }
            if (!name.starts_with("--") || !values_.count(name.substr(2)))
                throw std::invalid_argument("unknown option " + name);
            if (i + 1 >= argc)
                throw std::invalid_argument("option " + name + " needs a value");
            values_[name.substr(2)] = argv[i + 1];
        }
    }
    long number(const std::string& name) const {
        char* end = nullptr;
        const std::string& v = values_.at(name);
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n <= 0)
            throw std::invalid_argument("--" + name + " must be a positive number, got '" + v + "'");
        return n;
    }
    std::vector<long> numbers(const std::string& name) const {
        std::vector<long> out;
        std::string v = values_.at(name);
        std::size_t pos = 0;
        while (pos <= v.size()) {
            const std::size_t comma = std::min(v.find(',', pos), v.size());
            char* end = nullptr;
            const std::string piece = v.substr(pos, comma - pos);
            const long n = std::strtol(piece.c_str(), &end, 10);
            if (piece.empty() || *end != '\0' || n <= 0)
                throw std::invalid_argument("--" + name +
                                            " takes positive numbers separated by commas, got '" + v + "'");
            out.push_back(n);
            pos = comma + 1;
        }
        return out;
    }
    const std::string& text(const std::string& name) const { return values_.at(name); }
    bool on(const std::string& name) const { return values_.count(name) > 0 && values_.at(name) == "1"; }

private:
    std::map<std::string, std::string> values_;
};

/// The p-quantile (0..1) of `v`; 0 when empty.
inline double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

/// Resident set size now, in KiB (/proc/self/statm).
inline long rss_kib() {
    long pages = 0, resident = 0;
    std::ifstream("/proc/self/statm") >> pages >> resident;
    return resident * 4;
}

/// Whitespace-separated words (e.g. the chime-local flags of --local-args).
inline std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

/// Lifts the soft limit of open files to the hard one (thousands of sockets in one process).
inline void raise_fd_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

int sigv4(const flags& f);
int transport(const flags& f);
int local_server(const flags& f, const char* self);
int pagination(const flags& f, const char* self);
int calls(const flags& f, const char* self);
int session(const flags& f, const char* self);
int inflight(const flags& f, const char* self);

} // namespace chime::bench
