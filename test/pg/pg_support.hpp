// Helpers shared by the PostgreSQL tests: skipping without the binaries,
// options that log in to a PostgresServer, one-value queries, and a logger
// that keeps what it was given for the test to inspect.
#pragma once

#include <cueball/connections/postgres.hpp>
#include <cueball/cueball.hpp>

#include "support/captured_log.hpp"
#include "support/eventually.hpp"

#include <postgres_server.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cueball::test {

// At the top of every test that needs a server.
#define CUEBALL_REQUIRE_POSTGRES()                                                                  \
    do {                                                                                            \
        if (!::cueball::testing::PostgresServer::available()) {                                     \
            GTEST_SKIP() << "PostgreSQL not available: "                                            \
                         << ::cueball::testing::PostgresServer::why_unavailable();                  \
        }                                                                                           \
    } while (0)

using PgPool = ConnectionPool<PostgresConnection>;

// Logs in as the server's superuser to database "postgres".
PostgresOptions login(const testing::PostgresServer& server);

// A PostgresConnection to `server`, connected. @throws PostgresError.
std::unique_ptr<PostgresConnection> connected(const testing::PostgresServer& server, PostgresOptions options);

// A pool's factory of PostgresConnections with `options`.
PgPool::Factory factory(PostgresOptions options);

// A StaticResolver with the servers' backends.
std::shared_ptr<StaticResolver> resolver_for(std::initializer_list<const testing::PostgresServer*> servers);

// Options for pools that must notice failures and recoveries quickly.
PoolOptions quick(std::size_t max_connections);

// First column of the first row of `sql`, or "" if none. @throws
// std::runtime_error with the server's message.
std::string query_value(PGconn* conn, const std::string& sql);

// `sql` succeeds (its results are read and dropped).
bool run_ok(PGconn* conn, const std::string& sql);

// True once data (a notification, the server's goodbye) is waiting on the
// connection's socket, within `within`; reads none of it.
bool data_waiting(PGconn* conn, std::chrono::milliseconds within = kLiveness);

// Ends the session with backend process `pid` from another session, as an
// administrator would (pg_terminate_backend).
void terminate_backend(const testing::PostgresServer& server, int pid);

// Polls `sql` on the server (as superuser) until it returns `expected`.
bool eventually_value(const testing::PostgresServer& server, const std::string& sql, const std::string& expected);

}  // namespace cueball::test
