// The servers of a run: a primary and a streaming standby this program
// starts itself (with pgbench's tables, made by `pgbench -i`), and what a
// run does on any servers before it starts: pgbench's vacuum, and reading
// the scale from pgbench_branches.
#pragma once

#include <cueball/connections/postgres.hpp>

#include <postgres_server.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pg_workload {

// Lifetimes: the servers stop and their directories go when this is
// destroyed. Create and destroy it on the main thread (see PostgresServer).
class OwnServers {
public:
    // Starts the primary, runs `pgbench -i -s scale` on it (pgbench from the
    // server's own BINDIR), then copies it into a standby.
    // @throws std::runtime_error naming the step that failed.
    explicit OwnServers(std::size_t scale);

    std::vector<cueball::Backend> backends() const;  // primary, standby
    cueball::PostgresOptions login() const;           // the superuser, database postgres

    std::string primary_key() const;
    std::string standby_key() const;
    // Fast shutdown of the primary: its sessions end, its port closes.
    void stop_primary();
    // Ends the standby's recovery; returns once it accepts writes.
    // @throws std::runtime_error if it does not.
    void promote_standby();

private:
    std::unique_ptr<cueball::testing::PostgresServer> primary_;
    std::unique_ptr<cueball::testing::PostgresServer> standby_;
};

// pgbench's pre-run cleanup (VACUUM pgbench_branches and pgbench_tellers,
// TRUNCATE pgbench_history) on every server that is a primary; standbys are
// skipped. @throws std::runtime_error with the server's message.
void vacuum_primaries(const std::vector<cueball::Backend>& servers, const cueball::PostgresOptions& login);

// The number of rows in pgbench_branches, as pgbench reads its scale.
// @throws std::runtime_error if the table is missing or empty.
std::size_t read_scale(PGconn* conn);

}  // namespace pg_workload
