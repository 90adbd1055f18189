#include <chime/transport.hpp>

#include <mutex>

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
    std::vector<auth::header_field> fields;
    fields.reserve(req.headers.size());
    for (const auto& h : req.headers)
        fields.push_back({h.name, h.value});

    auth::header_signature sig;
    try {
        const auth::signing_params params{.region = scope.region,
                                          .service = scope.service,
                                          .time = self.opts.clock ? self.opts.clock() : std::chrono::system_clock::now(),
                                          .add_content_sha256 = true};
        sig = self.signer.sign({.method = req.method,
                                .path = req.path,
                                .query = req.query,
                                .headers = fields,
                                .payload_hash = body_hash},
                               *creds, params);
    } catch (const std::invalid_argument& e) {
        co_return finish(error(make_error_code(errc::invalid_request), e.what()));
    }
    req.headers.reserve(req.headers.size() + 5);
    req.headers.push_back({"X-Amz-Date", std::move(sig.amz_date)});
    req.headers.push_back({"x-amz-content-sha256", std::move(sig.content_sha256)});
    if (!creds->session_token.empty())
        req.headers.push_back({"X-Amz-Security-Token", creds->session_token});
    req.headers.push_back({"Authorization", std::move(sig.authorization)});
    req.headers.push_back({"User-Agent", self.opts.user_agent});
    if (self.opts.logger)
        self.log(log_level::debug, describe_request(ep, req));

    net::exchange_info info;
    auto r = co_await self.pool_for(ep).exchange(req, &info);
    metrics.bytes_sent = info.bytes_sent;
    metrics.bytes_received = info.bytes_received;
    metrics.connection_reused = info.reused_connection;
    if (!r) {
        self.log(log_level::warning, "! " + r.error().message());
        co_return finish(std::move(r));
    }
    metrics.http_status = r->status;
    if (self.opts.logger)
        self.log(log_level::debug, describe_response(*r));
    if (r->status < 200 || r->status > 299)
        co_return finish(http::service_error(*r));
    co_return finish(std::move(r));
}

} // namespace chime
