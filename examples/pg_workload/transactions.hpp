// pgbench's two built-in transactions, statement for statement, on pgbench's
// tables (made by `pgbench -i`), and what made one fail.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace pg_workload {

enum class Mode {
    tpcb,         // pgbench's default: BEGIN; 3 UPDATEs, a SELECT and an INSERT; END
    select_only,  // pgbench -S: one SELECT by primary key
};

// How statements travel, as pgbench's -M.
enum class Protocol {
    simple,    // the values written into the SQL text, one PQexec per statement
    extended,  // $n parameters, one PQexecParams per statement (unnamed statements)
};

// Why a transaction did not commit.
enum class Failure {
    none,
    connection,     // the session or the server went away (class 08, 57P0x, CONNECTION_BAD)
    serialization,  // 40001 or 40P01: what pgbench itself counts as a failed transaction
    claim,          // no pooled connection in time (ClaimTimeout, NoBackendsAvailable)
    other,          // anything else, e.g. a write on a standby
};

const char* to_string(Failure failure) noexcept;

// The random values of one transaction, drawn as pgbench's scripts do:
// aid from 1 to 100000 * scale, bid to scale, tid to 10 * scale, delta from
// -5000 to 5000.
struct Draw {
    long aid = 1;
    long bid = 1;
    long tid = 1;
    long delta = 0;
};
Draw draw(std::size_t scale, std::mt19937_64& rng);

// One statement, with the values of a Draw: `text` for the simple protocol,
// `sql` and `params` for the extended one.
struct Statement {
    std::string text;
    std::string sql;
    std::vector<std::string> params;
};
std::vector<Statement> statements(Mode mode, const Draw& values);

// "<builtin: TPC-B (sort of)>" or "<builtin: select only>", as pgbench says.
const char* transaction_type(Mode mode) noexcept;
const char* to_string(Protocol protocol) noexcept;

struct Outcome {
    Failure failure = Failure::none;
    std::string message;  // the server's or libpq's, for failures
};

// Runs the statements in order and stops at the first that fails; a
// transaction left open is for the pool's reset() to roll back.
Outcome run(PGconn* conn, Protocol protocol, const std::vector<Statement>& transaction);

}  // namespace pg_workload
