#pragma once
// Reading and writing the JSON values of model members; used by the generated model_json.cpp files.
// Primitive overloads live in json_codec.cpp; containers and generated types are templates here.

#include <chime/json.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chime::detail {

using time_point = std::chrono::system_clock::time_point;
inline constexpr std::string_view sensitive_placeholder = "*** Sensitive Data Redacted ***";

bool read_value(const boost::json::value& v, std::string& out, json_context& ctx);
bool read_value(const boost::json::value& v, std::int32_t& out, json_context& ctx);
bool read_value(const boost::json::value& v, std::int64_t& out, json_context& ctx);
bool read_value(const boost::json::value& v, bool& out, json_context& ctx);
bool read_value(const boost::json::value& v, double& out, json_context& ctx);
/// Epoch seconds (a number, possibly fractional) or an ISO-8601 string.
bool read_value(const boost::json::value& v, time_point& out, json_context& ctx);

template <class T>
    requires requires(const boost::json::value& v, T& t, json_context& c) { from_json(v, t, c); }
bool read_value(const boost::json::value& v, T& out, json_context& ctx) {
    return from_json(v, out, ctx);
}

template <class T>
bool read_value(const boost::json::value& v, std::vector<T>& out, json_context& ctx) {
    const auto* arr = v.if_array();
    if (!arr)
        return ctx.fail("expected an array");
    out.clear();
    out.reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i) {
        ctx.push_index(i);
        const bool ok = read_value((*arr)[i], out.emplace_back(), ctx);
        ctx.pop();
        if (!ok)
            return false;
    }
    return true;
}

template <class T>
bool read_value(const boost::json::value& v, std::map<std::string, T>& out, json_context& ctx) {
    const auto* obj = v.if_object();
    if (!obj)
        return ctx.fail("expected an object");
    out.clear();
    for (const auto& kv : *obj) {
        ctx.push(kv.key());
        const bool ok = read_value(kv.value(), out[std::string(kv.key())], ctx);
        ctx.pop();
        if (!ok)
            return false;
    }
    return true;
}

template <class T>
bool read_member(const boost::json::value& v, std::string_view name, T& out, json_context& ctx) {
    ctx.push(name);
    const bool ok = read_value(v, out, ctx);
    ctx.pop();
    return ok;
}

template <class T>
bool read_member(const boost::json::value& v, std::string_view name, std::optional<T>& out, json_context& ctx) {
    if (v.is_null()) { // an explicit null is an absent member
        out.reset();
        return true;
    }
    return read_member(v, name, out.emplace(), ctx);
}

void write_value(boost::json::value& out, const std::string& v, const json_options&, timestamp_format);
void write_value(boost::json::value& out, std::int32_t v, const json_options&, timestamp_format);
void write_value(boost::json::value& out, std::int64_t v, const json_options&, timestamp_format);
void write_value(boost::json::value& out, bool v, const json_options&, timestamp_format);
void write_value(boost::json::value& out, double v, const json_options&, timestamp_format);
void write_value(boost::json::value& out, const time_point& v, const json_options&, timestamp_format f);

template <class T>
    requires requires(boost::json::value& out, const T& t, const json_options& o) { to_json(out, t, o); }
void write_value(boost::json::value& out, const T& v, const json_options& o, timestamp_format) {
    to_json(out, v, o);
}

template <class T>
void write_value(boost::json::value& out, const std::vector<T>& v, const json_options& o, timestamp_format f) {
    auto& arr = out.emplace_array();
    arr.reserve(v.size());
    for (const auto& e : v)
        write_value(arr.emplace_back(nullptr), e, o, f);
}

template <class T>
void write_value(boost::json::value& out, const std::map<std::string, T>& v, const json_options& o,
                 timestamp_format f) {
    auto& obj = out.emplace_object();
    for (const auto& [k, e] : v)
        write_value(obj[k], e, o, f);
}

template <class T>
void write_member(boost::json::object& obj, std::string_view name, const T& v, const json_options& o, bool sensitive,
                  timestamp_format f = timestamp_format::epoch_seconds) {
    if (sensitive && o.redact_sensitive) {
        obj[name] = sensitive_placeholder;
        return;
    }
    write_value(obj[name], v, o, f);
}

std::string serialize(const boost::json::value& v);

/// The JSON form of a model value with its sensitive members redacted: what to_string and operator<< write.
template <class T>
std::string loggable_json(const T& v) {
    boost::json::value out;
    to_json(out, v, json_options{.redact_sensitive = true});
    return serialize(out);
}

} // namespace chime::detail
