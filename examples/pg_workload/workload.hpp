// The workload itself: one table of accounts; each transaction adds to one
// account's balance and reads it back, like pgbench's simplest read-write mix.
#pragma once

#include <cueball/connections/postgres.hpp>

#include <cstddef>
#include <random>
#include <string>

namespace pg_workload {

// Creates table cueball_accounts with `accounts` rows on the server, if it is
// not there yet. @throws std::runtime_error with the server's message.
void prepare(const cueball::Backend& server, const cueball::PostgresOptions& options, std::size_t accounts);

// BEGIN; UPDATE one random account; SELECT it; COMMIT. Returns the error
// message, or "" on success. A failed transaction is left for the pool's
// reset() to roll back.
std::string transfer(PGconn* conn, std::size_t accounts, std::mt19937_64& rng);

}  // namespace pg_workload
