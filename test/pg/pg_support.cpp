#include "pg_support.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <poll.h>
#include <stdexcept>

namespace cueball::test {

PostgresOptions login(const testing::PostgresServer& server) {
    PostgresOptions options;
    options.dbname = "postgres";
    options.user = server.superuser();
    options.password = server.password();
    return options;
}

std::unique_ptr<PostgresConnection> connected(const testing::PostgresServer& server, PostgresOptions options) {
    auto conn = std::make_unique<PostgresConnection>(server.backend(), std::move(options));
    conn->connect();
    return conn;
}

PgPool::Factory factory(PostgresOptions options) {
    return [options](const Backend& backend) { return std::make_unique<PostgresConnection>(backend, options); };
}

std::shared_ptr<StaticResolver> resolver_for(std::initializer_list<const testing::PostgresServer*> servers) {
    std::vector<Backend> backends;
    for (const testing::PostgresServer* s : servers) backends.push_back(s->backend());
    return std::make_shared<StaticResolver>(backends);
}

PoolOptions quick(std::size_t max_connections) {
    using namespace std::chrono_literals;
    PoolOptions o;
    o.name = "pg-test";
    o.max_connections = max_connections;
    o.claim_timeout = 10s;
    o.rebalance_delay = 10ms;
    o.health_check_interval = 100ms;
    o.backoff_initial = 50ms;
    o.backoff_max = 300ms;
    return o;
}

std::string query_value(PGconn* conn, const std::string& sql) {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        std::string error = PQresultErrorMessage(result);
        PQclear(result);
        throw std::runtime_error(sql + ": " + error);
    }
    std::string value = (PQntuples(result) > 0 && PQnfields(result) > 0) ? PQgetvalue(result, 0, 0) : "";
    PQclear(result);
    return value;
}

bool run_ok(PGconn* conn, const std::string& sql) {
    try {
        query_value(conn, sql);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

bool data_waiting(PGconn* conn, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{PQsocket(conn), POLLIN, 0};
        const int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

void terminate_backend(const testing::PostgresServer& server, int pid) {
    if (server.execute("SELECT pg_terminate_backend(" + std::to_string(pid) + ")") != "t") {
        throw std::runtime_error("pg_terminate_backend(" + std::to_string(pid) + ") found no such session");
    }
}

bool eventually_value(const testing::PostgresServer& server, const std::string& sql, const std::string& expected) {
    return eventually([&] { return server.execute(sql) == expected; });
}

}  // namespace cueball::test
