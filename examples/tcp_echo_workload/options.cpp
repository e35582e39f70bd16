#include "options.hpp"

#include "command_line.hpp"

#include <charconv>
#include <limits>

namespace workload {

namespace {

constexpr const char* kBackends = "--backends";

CLI::ValidationError bad_backends(const std::string& why) {
    return CLI::ValidationError(kBackends, why);
}

std::uint16_t parse_port(const std::string& item, const std::string& text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > 65535) {
        throw bad_backends("'" + item + "' has no port from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
}

cueball::Backend parse_backend(const std::string& item) {
    std::string host;
    std::string port;
    if (!item.empty() && item.front() == '[') {
        const std::size_t close = item.find(']');
        if (close == std::string::npos || close + 1 >= item.size() || item[close + 1] != ':') {
            throw bad_backends("'" + item + "' is not [IPV6]:PORT");
        }
        host = item.substr(1, close - 1);
        port = item.substr(close + 2);
    } else {
        const std::size_t colon = item.rfind(':');
        if (colon == std::string::npos || item.find(':') != colon) {
            throw bad_backends("'" + item + "' is not HOST:PORT (write IPv6 as [::1]:PORT)");
        }
        host = item.substr(0, colon);
        port = item.substr(colon + 1);
    }
    if (host.empty()) throw bad_backends("'" + item + "' has no host");
    return cueball::Backend{host, parse_port(item, port), {}};
}

// Checks that need more than one flag, run by CLI11 once every flag is read.
void check_together(const Options& options) {
    const int sources =
        (options.backends.empty() ? 0 : 1) + (options.dns_service.empty() ? 0 : 1) + (options.dns_host.empty() ? 0 : 1);
    if (sources != 1) throw CLI::ValidationError("give exactly one of --backends, --dns-service, --dns-host");
    if (!options.dns_host.empty() && options.dns_port == 0) {
        throw CLI::ValidationError("--dns-host", "needs --dns-port");
    }
    if (!options.nameservers.empty() && !options.uses_dns()) {
        throw CLI::ValidationError("--nameserver", "only makes sense with --dns-service or --dns-host");
    }
#ifndef CUEBALL_WORKLOAD_WITH_DNS
    if (options.uses_dns()) {
        throw CLI::ValidationError(options.dns_service.empty() ? "--dns-host" : "--dns-service",
                                   "this build has no DNS support (cueball::dns was not built); use --backends");
    }
#endif
#ifndef CUEBALL_WORKLOAD_WITH_HTTP
    if (options.http_port != 0) {
        throw CLI::ValidationError("--http", "this build has no stats endpoint (cueball::http was not built)");
    }
#endif
}

}  // namespace

std::vector<cueball::Backend> parse_backend_list(const std::string& list) {
    std::vector<cueball::Backend> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = list.find(',', start);
        const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(parse_backend(item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) throw bad_backends("no backend in '" + list + "'");
    return out;
}

std::optional<int> parse_options(int argc, char** argv, Options& options) {
    CLI::App app{
        "Worker threads claim TCP connections from one cueball pool, send a line and check that it\n"
        "comes back; every second it prints the pool's per-backend counts and the claims per second.",
        "tcp_echo_workload"};
    app.footer(
        "Backends: give exactly one of --backends, --dns-service, --dns-host (with --dns-port).\n"
        "Exit status: 0 when echoes were checked and none came back wrong, 1 otherwise,\n"
        "2 for a bad command line.");

    constexpr int kMaxMs = std::numeric_limits<int>::max();
    auto add_ms = [&](const char* flag, std::chrono::milliseconds& field, int min, const char* what) {
        app.add_option_function<int>(
               flag, [&field](int ms) { field = std::chrono::milliseconds(ms); }, what)
            ->check(CLI::Range(min, kMaxMs))
            ->default_str(std::to_string(field.count()))
            ->type_name("MS");
    };

    app.add_option_function<std::string>(
           kBackends, [&options](const std::string& list) { options.backends = parse_backend_list(list); },
           "comma-separated HOST:PORT, e.g. 127.0.0.1:7001,[::1]:7003")
        ->type_name("LIST");
    app.add_option("--dns-service", options.dns_service, "discover backends by SRV, e.g. _echo._tcp.test.com")
        ->type_name("NAME");
    app.add_option("--dns-host", options.dns_host, "discover backends by the A/AAAA records of NAME ...")
        ->type_name("NAME");
    app.add_option("--dns-port", options.dns_port, "... all on this port")
        ->check(CLI::Range(1, 65535))
        ->type_name("PORT");
    app.add_option("--nameserver", options.nameservers,
                   "name server, e.g. 127.0.0.1:5353 (repeatable; default: resolv.conf)")
        ->allow_extra_args(false)
        ->type_name("ADDR");
    app.add_option("--threads", options.threads, "worker threads")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str()
        ->type_name("N");
    app.add_option("--max-connections", options.max_connections, "pool size across all backends")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str()
        ->type_name("N");
    app.add_option_function<int>(
           "--seconds", [&options](int s) { options.duration = std::chrono::seconds(s); },
           "stop after N seconds (0 = at SIGINT/SIGTERM)")
        ->check(CLI::Range(0, kMaxMs / 1000))
        ->default_str("0")
        ->type_name("N");
    add_ms("--connect-timeout", options.connect_timeout, 1, "TCP connect timeout");
    add_ms("--health-check", options.health_check_interval, 0, "health check interval of idle connections");
    add_ms("--claim-timeout", options.claim_timeout, 0, "how long a worker waits for a connection");
    app.add_option("--http", options.http_port, "serve /stats and /metrics on 127.0.0.1:PORT (for cueball-top)")
        ->check(CLI::Range(1, 65535))
        ->type_name("PORT");
    app.final_callback([&options] { check_together(options); });
    return cueball::examples::parse_command_line(app, argc, argv);
}

}  // namespace workload
