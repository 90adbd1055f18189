#include "chime-local/faults.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace chime::local {
namespace json = boost::json;

namespace {

double number(const json::object& o, std::string_view key, double fallback, double lo, double hi) {
    const auto* v = o.if_contains(key);
    if (!v)
        return fallback;
    if (!v->is_number())
        throw std::invalid_argument(std::string(key) + ": expected a number");
    const double d = v->to_number<double>();
    if (d < lo || d > hi)
        throw std::invalid_argument(std::string(key) + ": " + std::to_string(d) + " is outside [" + std::to_string(lo) +
                                    ", " + std::to_string(hi) + "]");
    return d;
}

rate_limit limit_from(const json::value& v, const std::string& where) {
    const auto* o = v.if_object();
    if (!o)
        throw std::invalid_argument(where + ": expected an object {\"rate\": R, \"burst\": B}");
    for (const auto& kv : *o)
        if (kv.key() != "rate" && kv.key() != "burst")
            throw std::invalid_argument(where + ": unknown member " + std::string(kv.key()));
    rate_limit r{number(*o, "rate", 0, 0, 1e9), 0};
    r.burst = number(*o, "burst", r.rate > 0 ? r.rate : 0, 0, 1e9);
    return r;
}

} // namespace

fault_options faults_from_json(const json::value& v) {
    const auto* o = v.if_object();
    if (!o)
        throw std::invalid_argument("faults: expected a JSON object");
    static constexpr std::string_view known[] = {"throttle", "per_operation", "error_500", "error_503", "latency_ms",
                                                 "close_before_response", "close_mid_response", "ws_reject_code",
                                                 "ws_unresponsive"};
    for (const auto& kv : *o)
        if (std::ranges::find(known, std::string_view(kv.key())) == std::end(known))
            throw std::invalid_argument("faults: unknown member " + std::string(kv.key()));
    fault_options f;
    if (const auto* t = o->if_contains("throttle"))
        f.throttle = limit_from(*t, "throttle");
    if (const auto* p = o->if_contains("per_operation")) {
        if (!p->is_object())
            throw std::invalid_argument("per_operation: expected an object of operation name -> {rate, burst}");
        for (const auto& kv : p->get_object())
            f.per_operation[std::string(kv.key())] = limit_from(kv.value(), "per_operation." + std::string(kv.key()));
    }
    f.error_500 = number(*o, "error_500", 0, 0, 1);
    f.error_503 = number(*o, "error_503", 0, 0, 1);
    f.latency = std::chrono::milliseconds(static_cast<long>(number(*o, "latency_ms", 0, 0, 600000)));
    f.close_before_response = number(*o, "close_before_response", 0, 0, 1);
    f.close_mid_response = number(*o, "close_mid_response", 0, 0, 1);
    f.ws_reject_code = static_cast<int>(number(*o, "ws_reject_code", 0, 0, 4999));
    if (f.ws_reject_code != 0 && f.ws_reject_code < 1000)
        throw std::invalid_argument("ws_reject_code: " + std::to_string(f.ws_reject_code) +
                                    " is not a websocket close code (0 = off, else 1000 to 4999)");
    if (const auto* u = o->if_contains("ws_unresponsive")) {
        if (!u->is_bool())
            throw std::invalid_argument("ws_unresponsive: expected true or false");
        f.ws_unresponsive = u->get_bool();
    }
    return f;
}

json::value faults_to_json(const fault_options& f) {
    json::object per;
    for (const auto& [op, l] : f.per_operation)
        per[op] = {{"rate", l.rate}, {"burst", l.burst}};
    return {{"throttle", {{"rate", f.throttle.rate}, {"burst", f.throttle.burst}}},
            {"per_operation", per},
            {"error_500", f.error_500},
            {"error_503", f.error_503},
            {"latency_ms", f.latency.count()},
            {"close_before_response", f.close_before_response},
            {"close_mid_response", f.close_mid_response},
            {"ws_reject_code", f.ws_reject_code},
            {"ws_unresponsive", f.ws_unresponsive}};
}

bool fault_injector::bucket::take(std::chrono::steady_clock::time_point now) {
    if (limit.rate <= 0)
        return true;
    if (last == std::chrono::steady_clock::time_point{})
        tokens = limit.burst;
    else
        tokens = std::min(limit.burst, tokens + std::chrono::duration<double>(now - last).count() * limit.rate);
    last = now;
    if (tokens < 1)
        return false;
    tokens -= 1;
    return true;
}

void fault_injector::set(fault_options f) {
    std::lock_guard lock(mutex_);
    global_ = bucket{f.throttle};
    per_op_.clear();
    for (const auto& [op, l] : f.per_operation)
        per_op_[op] = bucket{l};
    opts_ = std::move(f);
}

fault_options fault_injector::get() const {
    std::lock_guard lock(mutex_);
    return opts_;
}

std::chrono::milliseconds fault_injector::latency() const {
    std::lock_guard lock(mutex_);
    return opts_.latency;
}

fault_injector::action fault_injector::decide(std::string_view operation, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (const auto it = per_op_.find(operation); it != per_op_.end() && !it->second.take(now))
        return action::throttle;
    if (!global_.take(now))
        return action::throttle;
    std::uniform_real_distribution<double> u(0, 1);
    const double x = u(rng_);
    double edge = opts_.error_500;
    if (x < edge)
        return action::error_500;
    if (x < (edge += opts_.error_503))
        return action::error_503;
    if (x < (edge += opts_.close_before_response))
        return action::close_before_response;
    if (x < (edge += opts_.close_mid_response))
        return action::close_mid_response;
    return action::none;
}

} // namespace chime::local
