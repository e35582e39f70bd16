#include "options.hpp"

#include "dns_message.hpp"
#include "resolv_conf.hpp"

#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace cueball::dns {

namespace {

[[noreturn]] void invalid(const std::string& why) { throw InvalidArgument("DnsResolverOptions: " + why); }

void check_name(const char* field, const std::string& name) {
    try {
        build_query(Question{name, kTypeA}, 0);
    } catch (const MessageError&) {
        invalid(std::string(field) + " '" + name + "' is not a valid DNS name");
    }
    if (normalize_name(name).empty()) invalid(std::string(field) + " '" + name + "' is the root, not a name");
}

constexpr std::size_t kMaxTargets = 4096;
constexpr std::size_t kMaxConcurrentQueries = 256;

std::string shown(std::chrono::milliseconds value) { return std::to_string(value.count()) + " ms"; }
std::string shown(std::size_t value) { return std::to_string(value); }

template <typename T>
void check_range(const char* field, T value, T low, T high, const char* range) {
    if (value < low || value > high) invalid(std::string(field) + " is " + shown(value) + "; allowed: " + range);
}

std::vector<Endpoint> servers_from_resolv_conf(const std::string& path, spdlog::logger& logger) {
    std::ifstream file(path);
    std::vector<Endpoint> servers;
    if (file) {
        std::ostringstream text;
        text << file.rdbuf();
        servers = parse_resolv_conf(text.str());
    } else {
        logger.warn("dns: cannot read {}; using 127.0.0.1:53", path);
    }
    if (servers.empty()) servers.push_back(Endpoint{"127.0.0.1", kDnsPort});
    return servers;
}

}  // namespace

RefreshConfig make_refresh_config(const DnsResolverOptions& options) {
    const bool has_service = !options.service.empty();
    const bool has_host = !options.host.empty();
    if (has_service == has_host) invalid("set exactly one of service (SRV) and host (A/AAAA)");
    if (has_service) {
        check_name("service", options.service);
        if (options.port != 0) invalid("port must be 0 with service (the SRV records give the ports)");
    } else {
        check_name("host", options.host);
        if (options.port == 0) invalid("port must be 1-65535 with host");
    }
    using std::chrono::milliseconds;
    using namespace std::chrono_literals;
    check_range("min_ttl", options.min_ttl, 1ms, milliseconds(24h), "1 ms to 24 h");
    check_range("max_ttl", options.max_ttl, options.min_ttl, milliseconds(7 * 24h), "min_ttl to 7 days");
    check_range("query_timeout", options.query_timeout, 1ms, milliseconds(10min), "1 ms to 10 min");
    check_range("max_targets", options.max_targets, std::size_t{1}, kMaxTargets, "1 to 4096");
    check_range("max_concurrent_queries", options.max_concurrent_queries, std::size_t{1}, kMaxConcurrentQueries,
                "1 to 256");

    RefreshConfig config;
    config.logger = options.logger ? options.logger : detail::quiet_stderr_logger("cueball.dns");
    for (const std::string& text : options.nameservers) {
        auto endpoint = parse_endpoint(text);
        if (!endpoint) {
            invalid("nameservers entry '" + text + "' is not an IP address with an optional port "
                    "(\"127.0.0.1:5353\", \"[::1]:53\", \"127.0.0.1\")");
        }
        config.query.servers.push_back(*endpoint);
    }
    if (config.query.servers.empty()) {
        config.query.servers = servers_from_resolv_conf(options.resolv_conf, *config.logger);
    }
    config.query.timeout = options.query_timeout;
    config.query.logger = config.logger;
    config.target = Target{options.service, options.host, options.port};
    config.min_ttl = options.min_ttl;
    config.max_ttl = options.max_ttl;
    config.limits = RoundLimits{options.max_targets, options.max_concurrent_queries};
    return config;
}

}  // namespace cueball::dns
