#include "options.hpp"

#include <charconv>
#include <limits>

namespace workload {

const char* const kUsage =
    "usage: tcp_echo_workload (--backends LIST | --dns-service NAME | --dns-host NAME --dns-port PORT)\n"
    "                         [options]\n"
    "  --backends LIST          comma-separated HOST:PORT, e.g. 127.0.0.1:7001,[::1]:7003\n"
    "  --dns-service NAME       discover backends by SRV, e.g. _echo._tcp.test.com\n"
    "  --dns-host NAME          discover backends by A/AAAA records of NAME ...\n"
    "  --dns-port PORT          ... all on this port\n"
    "  --nameserver ADDR        name server to ask, e.g. 127.0.0.1:5353 (repeatable;\n"
    "                           default: the ones in /etc/resolv.conf)\n"
    "  --threads N              worker threads (default 4)\n"
    "  --max-connections N      pool size across all backends (default 10)\n"
    "  --seconds N              stop after N seconds (default 0 = at SIGINT/SIGTERM)\n"
    "  --connect-timeout MS     TCP connect timeout (default 2000)\n"
    "  --health-check MS        health check interval of idle connections (default 1000)\n"
    "  --claim-timeout MS       how long a worker waits for a connection (default 5000)\n"
    "  --http PORT              serve /stats and /metrics on 127.0.0.1:PORT (for cueball-top)\n";

namespace {

template <class T>
T parse_number(const std::string& flag, const std::string& text, T min, T max) {
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
        throw UsageError(flag + ": expected a number from " + std::to_string(min) + " to " + std::to_string(max) +
                         ", got '" + text + "'");
    }
    return value;
}

cueball::Backend parse_backend(const std::string& item) {
    std::string host;
    std::string port;
    if (!item.empty() && item.front() == '[') {
        const std::size_t close = item.find(']');
        if (close == std::string::npos || close + 1 >= item.size() || item[close + 1] != ':') {
            throw UsageError("--backends: '" + item + "' is not [IPV6]:PORT");
        }
        host = item.substr(1, close - 1);
        port = item.substr(close + 2);
    } else {
        const std::size_t colon = item.rfind(':');
        if (colon == std::string::npos || item.find(':') != colon) {
            throw UsageError("--backends: '" + item + "' is not HOST:PORT (write IPv6 as [::1]:PORT)");
        }
        host = item.substr(0, colon);
        port = item.substr(colon + 1);
    }
    if (host.empty()) throw UsageError("--backends: '" + item + "' has no host");
    return cueball::Backend{host, parse_number<std::uint16_t>("--backends port", port, 1, 65535), {}};
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
    if (out.empty()) throw UsageError("--backends: no backend in '" + list + "'");
    return out;
}

bool parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") return false;
        if (i + 1 == argc) throw UsageError(flag.rfind("--", 0) == 0 ? flag + " needs a value" : "unexpected '" + flag + "'");
        const std::string value = argv[++i];
        using std::chrono::milliseconds;
        constexpr int kMaxMs = std::numeric_limits<int>::max();
        if (flag == "--backends") {
            options.backends = parse_backend_list(value);
        } else if (flag == "--dns-service") {
            options.dns_service = value;
        } else if (flag == "--dns-host") {
            options.dns_host = value;
        } else if (flag == "--dns-port") {
            options.dns_port = parse_number<std::uint16_t>(flag, value, 1, 65535);
        } else if (flag == "--nameserver") {
            options.nameservers.push_back(value);
        } else if (flag == "--threads") {
            options.threads = parse_number<std::size_t>(flag, value, 1, 1024);
        } else if (flag == "--max-connections") {
            options.max_connections = parse_number<std::size_t>(flag, value, 1, 100'000);
        } else if (flag == "--seconds") {
            options.duration = std::chrono::seconds(parse_number<int>(flag, value, 0, kMaxMs / 1000));
        } else if (flag == "--connect-timeout") {
            options.connect_timeout = milliseconds(parse_number<int>(flag, value, 1, kMaxMs));
        } else if (flag == "--health-check") {
            options.health_check_interval = milliseconds(parse_number<int>(flag, value, 0, kMaxMs));
        } else if (flag == "--claim-timeout") {
            options.claim_timeout = milliseconds(parse_number<int>(flag, value, 0, kMaxMs));
        } else if (flag == "--http") {
            options.http_port = parse_number<std::uint16_t>(flag, value, 1, 65535);
        } else {
            throw UsageError("unknown option '" + flag + "'");
        }
    }
    const int sources = (options.backends.empty() ? 0 : 1) + (options.dns_service.empty() ? 0 : 1) +
                        (options.dns_host.empty() ? 0 : 1);
    if (sources != 1) throw UsageError("give exactly one of --backends, --dns-service, --dns-host");
    if (!options.dns_host.empty() && options.dns_port == 0) throw UsageError("--dns-host needs --dns-port");
    if (!options.nameservers.empty() && !options.uses_dns()) {
        throw UsageError("--nameserver only makes sense with --dns-service or --dns-host");
    }
    return true;
}

}  // namespace workload
