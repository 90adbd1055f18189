#include <chime/transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>
#include <random>

namespace chime {
namespace asio = boost::asio;

namespace {

bool is_secret_header(std::string_view name) {
    return http::iequals(name, "authorization") || http::iequals(name, "x-amz-security-token");
}

std::string describe_request(const net::endpoint& ep, const http::request& req) {
    std::string s = "> " + req.method + " " + ep.origin() + req.path;
    if (!req.query.empty())
        s.append("?").append(req.query);
    for (const auto& h : req.headers)
        s.append("\n> ").append(h.name).append(": ").append(is_secret_header(h.name) ? "<redacted>"
                                                                                     : h.value);
    s.append("\n> (").append(std::to_string(req.body.size())).append(" body bytes)");
    return s;
}

std::string describe_response(const http::response& r) {
    std::string s = "< HTTP " + std::to_string(r.status);
    for (const auto& h : r.headers)
        s.append("\n< ").append(h.name).append(": ").append(h.value);
    s.append("\n< (").append(std::to_string(r.body.size())).append(" body bytes)");
    return s;
}

} // namespace

struct transport::impl {
    asio::any_io_executor ex;
    std::shared_ptr<auth::credentials_provider> credentials;
    transport_options opts;
    auth::signer signer;
    std::mutex mutex;
    std::vector<std::pair<std::string, std::unique_ptr<net::connection_pool>>> pools;

    net::connection_pool& pool_for(const net::endpoint& ep) {
        std::lock_guard lock(mutex);
        for (auto& [key, p] : pools) // a handful of endpoints at most: a scan beats building a key
            if (p->target() == ep)
                return *p;
        pools.emplace_back(ep.origin(), std::make_unique<net::connection_pool>(ex, ep, opts.pool));
        return *pools.back().second;
    }

    std::unique_ptr<retry_quota> quota;
    std::mutex random_mutex;
    std::mt19937_64 random{std::random_device{}()};

    double random01() {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    }

    void log(log_level level, const std::string& line) const {
        if (opts.logger)
            opts.logger(level, line);
    }
};

transport::transport(asio::any_io_executor ex, std::shared_ptr<auth::credentials_provider> credentials,
                     transport_options opts)
    : impl_(std::make_shared<impl>()) {
    if (!credentials)
        throw exception(errc::no_credentials, "transport: no credentials provider given");
    impl_->ex = std::move(ex);
    impl_->credentials = std::move(credentials);
    impl_->opts = std::move(opts);
    impl_->quota = std::make_unique<retry_quota>(impl_->opts.retry ? impl_->opts.retry->quota_capacity : 0);
}

transport::~transport() {
    close();
}

net::connection_pool& transport::pool(const net::endpoint& ep) { return impl_->pool_for(ep); }

void transport::close() {
    std::lock_guard lock(impl_->mutex);
    for (auto& [_, p] : impl_->pools)
        p->close();
}

asio::awaitable<result<http::response>> transport::send(const net::endpoint& ep, http::request req,
                                                        const signing_scope& scope,
                                                        std::string_view operation) {
    const std::shared_ptr<impl> keep = impl_; // the transport may be destroyed while this call runs
    impl& self = *keep;
    const auto start = std::chrono::steady_clock::now();
    call_metrics metrics{.operation = operation};
    auto finish = [&](result<http::response> r) {
        if (self.opts.on_metrics) {
            metrics.latency = std::chrono::steady_clock::now() - start;
            if (!r)
                metrics.error = r.error().code;
            self.opts.on_metrics(metrics);
        }
        return r;
    };

    auth::credentials_ptr creds;
    try {
        creds = co_await self.credentials->get();
    } catch (const exception& e) {
        co_return finish(e.error());
    }

    req.set_header("Host", ep.host_header());
    if (!req.body.empty() && req.header_value("Content-Type").empty())
        req.set_header("Content-Type", "application/json");
    const std::string body_hash = auth::payload_hash(req.body);

    const retry_options single{.max_attempts = 1};
    retry_state retries(self.opts.retry ? *self.opts.retry : single, *self.quota);
    for (;;) {
        // Each attempt is signed afresh (a new X-Amz-Date) over the same request: idempotency tokens and
        // the body stay what they were.
        http::request attempt = req;
        std::vector<auth::header_field> fields;
        fields.reserve(attempt.headers.size());
        for (const auto& h : attempt.headers)
            fields.push_back({h.name, h.value});
        auth::header_signature sig;
        try {
            const auth::signing_params params{.region = scope.region,
                                              .service = scope.service,
                                              .time = self.opts.clock ? self.opts.clock() : std::chrono::system_clock::now(),
                                              .add_content_sha256 = true};
            sig = self.signer.sign({.method = attempt.method,
                                    .path = attempt.path,
                                    .query = attempt.query,
                                    .headers = fields,
                                    .payload_hash = body_hash},
                                   *creds, params);
        } catch (const std::invalid_argument& e) {
            co_return finish(error(make_error_code(errc::invalid_request), e.what()));
        }
        attempt.headers.reserve(attempt.headers.size() + 5);
        attempt.headers.push_back({"X-Amz-Date", std::move(sig.amz_date)});
        attempt.headers.push_back({"x-amz-content-sha256", std::move(sig.content_sha256)});
        if (!creds->session_token.empty())
            attempt.headers.push_back({"X-Amz-Security-Token", creds->session_token});
        attempt.headers.push_back({"Authorization", std::move(sig.authorization)});
        attempt.headers.push_back({"User-Agent", self.opts.user_agent});
        if (self.opts.logger)
            self.log(log_level::debug, describe_request(ep, attempt));

        net::exchange_info info;
        auto r = co_await self.pool_for(ep).exchange(attempt, &info);
        metrics.bytes_sent += info.bytes_sent;
        metrics.bytes_received += info.bytes_received;
        metrics.connection_reused = info.reused_connection;
        metrics.attempts = retries.attempts();
        std::optional<std::chrono::milliseconds> hint;
        error failure;
        if (!r) {
            self.log(log_level::warning, "! " + r.error().message());
            failure = r.error();
        } else {
            metrics.http_status = r->status;
            if (self.opts.logger)
                self.log(log_level::debug, describe_response(*r));
            if (r->status >= 200 && r->status <= 299) {
                retries.after_success();
                co_return finish(std::move(r));
            }
            failure = http::service_error(*r);
            hint = retry_after_hint(*r, std::chrono::system_clock::now());
        }
        const auto delay = retries.after_failure(failure, hint, self.random01());
        if (!delay) {
            if (retries.attempts() > 1 && failure.diag) { // say how hard we tried
                diagnostics d = *failure.diag;
                d.attempts = retries.attempts();
                d.message += " (after " + std::to_string(retries.attempts()) + " attempts; " + retries.stop_reason() + ")";
                failure.diag = std::make_shared<const diagnostics>(std::move(d));
            }
            co_return finish(std::move(failure));
        }
        self.log(log_level::info, "retrying " + std::string(operation) + " in " + std::to_string(delay->count()) +
                                      " ms: " + failure.message());
        asio::steady_timer wait(co_await asio::this_coro::executor, *delay);
        auto [ec] = co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return finish(error(make_error_code(errc::cancelled), "cancelled while waiting to retry " +
                                                                         std::string(operation) + " after: " +
                                                                         failure.message()));
    }
}

} // namespace chime
