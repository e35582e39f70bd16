#include "args.hpp"

#include <charconv>
#include <stdexcept>

namespace pg_workload {

namespace {

std::size_t parse_count(const std::string& flag, const std::string& text, std::size_t min, std::size_t max) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(flag + " wants a whole number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", not '" + text + "'");
    }
    return value;
}

}  // namespace

cueball::Backend parse_server(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        throw std::invalid_argument("--server wants host:port or [v6-address]:port, not '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') throw std::invalid_argument("--server: bad IPv6 address in '" + text + "'");
        host = host.substr(1, host.size() - 2);
    }
    const auto port = static_cast<std::uint16_t>(parse_count("--server port", text.substr(colon + 1), 1, 65535));
    return cueball::Backend{host, port, {}};
}

Args parse_args(int argc, char** argv) {
    Args args;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            args.help = true;
            continue;
        }
        if (flag.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument: '" + flag + "'");
        if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value (or is unknown; see --help)");
        const std::string value = argv[++i];
        if (flag == "--server") {
            args.servers.push_back(parse_server(value));
        } else if (flag == "--user") {
            args.user = value;
        } else if (flag == "--password") {
            args.password = value;
        } else if (flag == "--dbname") {
            args.dbname = value;
        } else if (flag == "--threads") {
            args.threads = parse_count(flag, value, 1, 1024);
        } else if (flag == "--connections") {
            args.connections = parse_count(flag, value, 1, 1000);
        } else if (flag == "--accounts") {
            args.accounts = parse_count(flag, value, 1, 10'000'000);
        } else if (flag == "--seconds") {
            args.seconds = std::chrono::seconds(parse_count(flag, value, 0, 1'000'000));
        } else if (flag == "--http") {
            args.http_port = static_cast<std::uint16_t>(parse_count(flag, value, 1, 65535));
        } else {
            throw std::invalid_argument("unknown flag: " + flag);
        }
    }
    return args;
}

std::string usage() {
    return "usage: cueball-pg-workload [--server host:port]... [--user U] [--password P] [--dbname D]\n"
           "                           [--threads N] [--connections N] [--accounts N] [--seconds N]\n"
           "                           [--http PORT]\n"
           "\n"
           "Runs a read-write workload (UPDATE then SELECT of one row, in a transaction) from\n"
           "--threads workers through one cueball pool of --connections PostgreSQL sessions,\n"
           "and prints transactions/s, claim-wait p50/p99 and per-server counts every second.\n"
           "\n"
           "  --server host:port  a server to use (repeat for more); none = start two\n"
           "                      throwaway servers on 127.0.0.1 in a temporary directory\n"
           "  --user, --password, --dbname   login (default database: postgres)\n"
           "  --threads N         worker threads (default 8)\n"
           "  --connections N     the pool's max_connections (default 4)\n"
           "  --accounts N        rows in table cueball_accounts (default 1000)\n"
           "  --seconds N         stop after N seconds (default 0: until Ctrl-C)\n"
           "  --http PORT         serve /stats and /metrics on 127.0.0.1:PORT (for cueball-top)\n";
}

}  // namespace pg_workload
