#include "workload.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace pg_workload {

namespace {

// Runs one statement; the error message, or "" on success.
std::string exec(PGconn* conn, const char* sql, int nparams = 0, const char* const* params = nullptr) {
    PGresult* result = PQexecParams(conn, sql, nparams, nullptr, params, nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    std::string error;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        error = PQresultErrorMessage(result);
        if (error.empty()) error = PQerrorMessage(conn);
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    }
    PQclear(result);
    return error;
}

}  // namespace

void prepare(const cueball::Backend& server, const cueball::PostgresOptions& options, std::size_t accounts) {
    cueball::PostgresConnection conn(server, options);
    conn.connect();
    const std::string rows = std::to_string(accounts);
    const char* params[] = {rows.c_str()};
    std::string error =
        exec(conn.native(), "CREATE TABLE IF NOT EXISTS cueball_accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
    if (error.empty()) {
        error = exec(conn.native(),
                     "INSERT INTO cueball_accounts SELECT g, 0 FROM generate_series(1, $1::int) AS g "
                     "ON CONFLICT (id) DO NOTHING",
                     1, params);
    }
    if (!error.empty()) throw std::runtime_error("preparing " + cueball::backend_key(server) + ": " + error);
}

std::string transfer(PGconn* conn, std::size_t accounts, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::size_t> account(1, accounts);
    std::uniform_int_distribution<int> delta(-5000, 5000);
    const std::string id = std::to_string(account(rng));
    const std::string amount = std::to_string(delta(rng));
    const char* update[] = {amount.c_str(), id.c_str()};
    const char* select[] = {id.c_str()};
    std::string error = exec(conn, "BEGIN");
    if (error.empty()) error = exec(conn, "UPDATE cueball_accounts SET balance = balance + $1::bigint WHERE id = $2::int", 2, update);
    if (error.empty()) error = exec(conn, "SELECT balance FROM cueball_accounts WHERE id = $1::int", 1, select);
    if (error.empty()) error = exec(conn, "COMMIT");
    return error;
}

}  // namespace pg_workload
