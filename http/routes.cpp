#include "routes.hpp"

#include "source_registry.hpp"

#include <cueball/stats_format.hpp>

#include <spdlog/logger.h>

#include <exception>
#include <string_view>

namespace cueball::http {

namespace {

namespace bhttp = boost::beast::http;

constexpr const char* kJson = "application/json";
constexpr const char* kPrometheus = "text/plain; version=0.0.4";
constexpr const char* kText = "text/plain; charset=utf-8";

Response make(bhttp::status status, const Request& request, const char* type, std::string body) {
    Response r{status, request.version()};
    r.set(bhttp::field::server, "cueball");
    r.set(bhttp::field::content_type, type);
    // Statistics are a snapshot: a cached copy would be a lie.
    r.set(bhttp::field::cache_control, "no-store");
    r.keep_alive(request.keep_alive());
    r.body() = std::move(body);
    r.prepare_payload();
    // HEAD: the headers of the GET, Content-Length included, without the body.
    if (request.method() == bhttp::verb::head) r.body().clear();
    return r;
}

}  // namespace

Response respond(const Request& request, SourceRegistry& sources, spdlog::logger& logger) {
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find('?'));
    const bool stats = target == "/stats";
    const bool metrics = target == "/metrics";
    if (!stats && !metrics) return make(bhttp::status::not_found, request, kText, "not found; try /stats or /metrics\n");
    if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) {
        Response r = make(bhttp::status::method_not_allowed, request, kText, "only GET and HEAD\n");
        r.set(bhttp::field::allow, "GET, HEAD");
        return r;
    }
    try {
        const std::vector<PoolStats> pools = sources.collect();
        if (stats) return make(bhttp::status::ok, request, kJson, to_json(pools) + "\n");
        return make(bhttp::status::ok, request, kPrometheus, to_prometheus(pools));
    } catch (const std::exception& e) {
        logger.warn("cueball stats server: {} {}: {}", std::string(request.method_string()), target, e.what());
        return make(bhttp::status::internal_server_error, request, kText, std::string(e.what()) + "\n");
    }
}

Response error_response(bhttp::status status, unsigned version, const std::string& why) {
    Response r{status, version};
    r.set(bhttp::field::server, "cueball");
    r.set(bhttp::field::content_type, kText);
    r.keep_alive(false);
    r.body() = why + "\n";
    r.prepare_payload();
    return r;
}

}  // namespace cueball::http
