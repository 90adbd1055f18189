#include "model/json_codec.hpp"

#include "util/iso8601.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <limits>

namespace chime {

bool json_context::fail(std::string_view what) {
    if (error_.empty()) {
        std::string path;
        for (const auto& segment : path_) {
            if (!path.empty() && segment.front() != '[')
                path += '.';
            path += segment;
        }
        error_ = (path.empty() ? std::string() : path + ": ") + std::string(what);
    }
    return false;
}

namespace detail {
namespace {

template <class Int>
bool read_integer(const boost::json::value& v, Int& out, json_context& ctx) {
    long double n;
    if (v.is_int64())
        n = static_cast<long double>(v.get_int64());
    else if (v.is_uint64())
        n = static_cast<long double>(v.get_uint64());
    else if (v.is_double() && std::floor(v.get_double()) == v.get_double())
        n = v.get_double();
    else
        return ctx.fail("expected an integer");
    if (n < static_cast<long double>(std::numeric_limits<Int>::min()) ||
        n > static_cast<long double>(std::numeric_limits<Int>::max()))
        return ctx.fail("integer out of range");
    out = static_cast<Int>(n);
    return true;
}

} // namespace

bool read_value(const boost::json::value& v, std::string& out, json_context& ctx) {
    const auto* s = v.if_string();
    if (!s)
        return ctx.fail("expected a string");
    out.assign(s->data(), s->size());
    return true;
}

bool read_value(const boost::json::value& v, std::int32_t& out, json_context& ctx) { return read_integer(v, out, ctx); }
bool read_value(const boost::json::value& v, std::int64_t& out, json_context& ctx) { return read_integer(v, out, ctx); }

bool read_value(const boost::json::value& v, bool& out, json_context& ctx) {
    if (!v.is_bool())
        return ctx.fail("expected true or false");
    out = v.get_bool();
    return true;
}

bool read_value(const boost::json::value& v, double& out, json_context& ctx) {
    if (v.is_double())
        out = v.get_double();
    else if (v.is_int64())
        out = static_cast<double>(v.get_int64());
    else if (v.is_uint64())
        out = static_cast<double>(v.get_uint64());
    else
        return ctx.fail("expected a number");
    return true;
}

bool read_value(const boost::json::value& v, time_point& out, json_context& ctx) {
    using namespace std::chrono;
    if (v.is_string()) {
        if (auto t = parse_iso8601(v.get_string())) {
            out = *t;
            return true;
        }
        return ctx.fail("expected an ISO-8601 time between the years 1685 and 2255, or epoch seconds");
    }
    double seconds;
    if (!read_value(v, seconds, ctx))
        return false;
    if (auto t = from_epoch_seconds(seconds)) {
        out = *t;
        return true;
    }
    return ctx.fail("epoch seconds out of range (the years 1685 to 2255)");
}

void write_value(boost::json::value& out, const std::string& v, const json_options&, timestamp_format) { out = v; }
void write_value(boost::json::value& out, std::int32_t v, const json_options&, timestamp_format) { out = v; }
void write_value(boost::json::value& out, std::int64_t v, const json_options&, timestamp_format) { out = v; }
void write_value(boost::json::value& out, bool v, const json_options&, timestamp_format) { out = v; }
void write_value(boost::json::value& out, double v, const json_options&, timestamp_format) { out = v; }

void write_value(boost::json::value& out, const time_point& v, const json_options& o, timestamp_format f) {
    using namespace std::chrono;
    if (f == timestamp_format::iso8601 || o.iso8601_timestamps) {
        out = format_iso8601(v);
        return;
    }
    const auto ms = duration_cast<milliseconds>(v.time_since_epoch()).count();
    if (ms % 1000 == 0)
        out = static_cast<std::int64_t>(ms / 1000); // whole seconds print as an integer, as AWS SDKs send them
    else
        out = static_cast<double>(ms) / 1000.0;
}

std::string serialize(const boost::json::value& v) { return boost::json::serialize(v); }

} // namespace detail
} // namespace chime
