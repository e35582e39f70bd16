// Command line of cueball-pg-workload. The flags follow pgbench's where the
// two programs do the same thing (-c, -j, -T, -S, -P, -M, -n, -s), so that
// the same numbers can be given to both and their reports read side by side.
#pragma once

#include "transactions.hpp"

#include <cueball/backend.hpp>
#include <cueball/connections/postgres.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pg_workload {

struct Options {
    std::vector<cueball::Backend> servers;  ///< empty = start a primary and a standby of our own
    std::string user;                       ///< empty = libpq's default
    std::string password;                   ///< empty = PGPASSWORD / ~/.pgpass
    std::string dbname = "postgres";
    std::size_t clients = 8;                ///< client threads, each running transactions one after another
    std::size_t pool_size = 4;              ///< the pool's max_connections, shared by all clients
    std::chrono::seconds duration{0};       ///< 0 = until SIGINT/SIGTERM
    std::chrono::seconds progress{0};       ///< a progress line this often; 0 = none
    Mode mode = Mode::tpcb;
    Protocol protocol = Protocol::simple;
    std::size_t scale = 1;                  ///< for `pgbench -i` on our own servers; others report theirs
    bool scale_given = false;
    bool vacuum = true;                     ///< pgbench's pre-run vacuum and history truncation
    cueball::TargetRole role = cueball::TargetRole::primary;
    std::chrono::seconds failover_after{0};  ///< 0 = no failover; needs our own servers
    std::chrono::milliseconds claim_timeout{5'000};
    std::chrono::milliseconds backoff_max{1'000};
    std::string reset_query = "DISCARD ALL";
    std::uint16_t http_port = 0;            ///< stats endpoint on 127.0.0.1; 0 = off
};

/// Reads the command line into `out`. Returns the exit code to end with
/// instead of running: 0 after printing --help, non-zero after printing an
/// error that names the offending flag (to stderr).
std::optional<int> parse_options(int argc, char** argv, Options& out);

/// "host:port" or "[v6]:port"; @throws std::invalid_argument.
cueball::Backend parse_server(const std::string& text);

}  // namespace pg_workload
