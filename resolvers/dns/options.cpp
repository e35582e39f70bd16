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
    if (options.min_ttl.count() <= 0) invalid("min_ttl must be positive");
    if (options.min_ttl > options.max_ttl) invalid("min_ttl must not exceed max_ttl");
    if (options.query_timeout.count() <= 0) invalid("query_timeout must be positive");

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
    return config;
}

}  // namespace cueball::dns
