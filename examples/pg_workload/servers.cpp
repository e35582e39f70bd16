#include "servers.hpp"

#include <child.hpp>

#include <libpq-fe.h>

#include <stdexcept>

namespace pg_workload {

namespace {

using cueball::testing::PostgresServer;

// First column of the first row, or "" on success without rows;
// @throws std::runtime_error with the server's message.
std::string query(PGconn* conn, const std::string& sql) {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    std::string value;
    std::string error;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        error = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    } else if (PQntuples(result) > 0 && PQnfields(result) > 0) {
        value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
    if (!error.empty()) {
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
        throw std::runtime_error(sql + ": " + error);
    }
    return value;
}

}  // namespace

OwnServers::OwnServers(std::size_t scale) {
    primary_ = std::make_unique<PostgresServer>();
    // pg_config is the server's own: its pgbench matches the server's version.
    const std::string pgbench = primary_->execute("SELECT setting FROM pg_config WHERE name = 'BINDIR'") + "/pgbench";
    // The password is the throwaway server's fixed one, so passing it in
    // the command line gives nothing away.
    const std::string conninfo = "host=" + primary_->host() + " port=" + std::to_string(primary_->port()) +
                                 " user=" + primary_->superuser() + " password=" + primary_->password() +
                                 " dbname=postgres";
    cueball::testing::detail::run({pgbench, "-i", "-q", "-s", std::to_string(scale), conninfo},
                                  primary_->directory() + "/pgbench-init.log", {}, std::chrono::minutes(10));
    cueball::testing::PostgresServerOptions copy;
    copy.primary = primary_.get();
    standby_ = std::make_unique<PostgresServer>(copy);
}

std::vector<cueball::Backend> OwnServers::backends() const { return {primary_->backend(), standby_->backend()}; }

cueball::PostgresOptions OwnServers::login() const {
    cueball::PostgresOptions options;
    options.dbname = "postgres";
    options.user = primary_->superuser();
    options.password = primary_->password();
    return options;
}

std::string OwnServers::primary_key() const { return cueball::backend_key(primary_->backend()); }

std::string OwnServers::standby_key() const { return cueball::backend_key(standby_->backend()); }

void OwnServers::stop_primary() { primary_->stop(); }

void OwnServers::promote_standby() { standby_->promote(); }

void vacuum_primaries(const std::vector<cueball::Backend>& servers, const cueball::PostgresOptions& login) {
    for (const cueball::Backend& server : servers) {
        cueball::PostgresConnection conn(server, login);
        conn.connect();
        try {
            if (query(conn.native(), "SELECT pg_is_in_recovery()") == "t") continue;
            // pgbench's own list, in its order.
            query(conn.native(), "VACUUM pgbench_branches");
            query(conn.native(), "VACUUM pgbench_tellers");
            query(conn.native(), "TRUNCATE pgbench_history");
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(cueball::backend_key(server) + ": " + e.what());
        }
    }
}

std::size_t read_scale(PGconn* conn) {
    std::string count;
    try {
        count = query(conn, "SELECT count(*) FROM pgbench_branches");
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(std::string(e.what()) + " (make the tables with `pgbench -i -s SCALE` first)");
    }
    const long n = std::stol(count);
    if (n <= 0) throw std::runtime_error("pgbench_branches is empty; run `pgbench -i -s SCALE` first");
    return static_cast<std::size_t>(n);
}

}  // namespace pg_workload
