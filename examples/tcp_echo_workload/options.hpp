// Command line of tcp_echo_workload: what it accepts, and its parsing (with
// CLI11) into one struct, with a message naming the flag for anything it does
// not accept.
#pragma once

#include <cueball/backend.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace workload {

struct Options {
    std::size_t threads = 4;                                 ///< worker threads claiming at once
    std::vector<cueball::Backend> backends;                  ///< --backends; empty when DNS is used
    std::string dns_service;                                 ///< --dns-service: SRV name
    std::string dns_host;                                    ///< --dns-host: A/AAAA name, with dns_port
    std::uint16_t dns_port = 0;                              ///< --dns-port
    std::vector<std::string> nameservers;                    ///< --nameserver; empty = /etc/resolv.conf
    std::chrono::seconds duration{0};                        ///< --seconds; 0 = until SIGINT/SIGTERM
    std::size_t max_connections = 10;                        ///< --max-connections
    std::chrono::milliseconds connect_timeout{2'000};        ///< --connect-timeout (ms)
    std::chrono::milliseconds health_check_interval{1'000};  ///< --health-check (ms)
    std::chrono::milliseconds claim_timeout{5'000};          ///< --claim-timeout (ms)
    std::uint16_t http_port = 0;                             ///< --http: stats endpoint on 127.0.0.1; 0 = off

    bool uses_dns() const { return !dns_service.empty() || !dns_host.empty(); }
};

/// Parses the command line into `options`. Returns nothing when the workload
/// should run; otherwise the status to exit with: 0 after printing --help, 2
/// after printing what is wrong.
std::optional<int> parse_options(int argc, char** argv, Options& options);

/// "127.0.0.1:7001,[::1]:7003,db.local:7002" -> backends.
/// @throws CLI::ValidationError naming --backends and the item at fault.
std::vector<cueball::Backend> parse_backend_list(const std::string& list);

}  // namespace workload
