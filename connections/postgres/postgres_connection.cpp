#include <cueball/connections/postgres.hpp>

#include "bounded.hpp"
#include "conninfo.hpp"
#include "role.hpp"
#include "rules/time.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <utility>
#include <vector>

namespace cueball {

using postgres_detail::clean_message;
using postgres_detail::Limits;
using postgres_detail::Outcome;

namespace {

// The limits of one step: its own timeout from now, the pool's deadline if
// earlier, and the pool's stop.
Limits limits_for(const Connection& connection, std::chrono::milliseconds timeout) {
    return Limits{detail::after(std::chrono::steady_clock::now(), timeout), connection.pool_deadline(),
                  connection.pool_stop_token()};
}

// Why a step failed, for a message: libpq's or the server's error, or which
// limit ended it (`option` names the timeout that applied).
std::string explain(const Outcome& outcome, const char* option, std::chrono::milliseconds timeout) {
    switch (outcome.kind) {
        case Outcome::Stopped:
            return "gave up, the pool is stopping";
        case Outcome::TimedOut:
            return std::string("no answer within ") + option + " (" + std::to_string(timeout.count()) + " ms)";
        case Outcome::PoolDeadline:
            return "no answer by the pool's deadline";
        case Outcome::Done:
            break;
    }
    return clean_message(outcome.error.c_str());
}

}  // namespace

PostgresConnection::PostgresConnection(Backend backend, PostgresOptions options)
    : backend_(std::move(backend)), options_(std::move(options)) {
    postgres_detail::validate(backend_, options_);
}

PostgresConnection::~PostgresConnection() { close(); }

void PostgresConnection::connect() {
    if (conn_ != nullptr) throw PostgresError("cueball::PostgresConnection: connect() called twice");
    std::string where = "postgres " + backend_key(backend_);
    if (!options_.dbname.empty()) where += " database \"" + options_.dbname + "\"";
    if (!options_.user.empty()) where += " user \"" + options_.user + "\"";
    if (pool_stop_token().stop_requested()) throw PostgresError(where + ": not tried, the pool is stopping");

    const Limits limits = limits_for(*this, options_.connect_timeout);
    const auto keywords = postgres_detail::connection_keywords(backend_, options_);
    std::vector<const char*> keys, values;
    for (const auto& [key, value] : keywords) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname = 0: a database name is a name, never a connection string.
    PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
    if (conn == nullptr) throw PostgresError(where + ": libpq could not allocate a connection");
    const Outcome outcome = PQstatus(conn) == CONNECTION_BAD ? Outcome{Outcome::Done, PQerrorMessage(conn)}
                                                             : postgres_detail::finish_connect(conn, limits);
    if (!outcome.ok()) {
        PQfinish(conn);
        throw PostgresError(where + ": " + explain(outcome, "connect_timeout", options_.connect_timeout));
    }
    PQsetNoticeReceiver(conn, &PostgresConnection::on_notice, this);
    if (const std::string problem = role_problem(conn, true, limits, "connect_timeout", options_.connect_timeout);
        !problem.empty()) {
        PQfinish(conn);
        throw PostgresError(where + ": " + problem);
    }
    conn_ = conn;
}

void PostgresConnection::close() noexcept {
    if (conn_ != nullptr) PQfinish(std::exchange(conn_, nullptr));
}

bool PostgresConnection::is_valid() {
    if (conn_ == nullptr || doomed_ || PQstatus(conn_) != CONNECTION_OK) return false;
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
    if (postgres_detail::peer_closed(conn_) || doomed_) return false;
    const bool validated = !options_.validation_query.empty();
    if (validated && !run_checked(options_.validation_query, "validation query")) return false;
    const std::string problem = role_problem(conn_, validated, limits_for(*this, options_.check_timeout),
                                             "check_timeout", options_.check_timeout);
    if (problem.empty()) return true;
    if (options_.logger) options_.logger->info("postgres {}: {}", backend_key(backend_), problem);
    return false;
}

std::string PostgresConnection::role_problem(PGconn* conn, bool fresh, const postgres_detail::Limits& limits,
                                             const char* option, std::chrono::milliseconds timeout) {
    const bool with_lag = options_.max_standby_lag.count() > 0;
    if (options_.target_role == TargetRole::any && !with_lag) return {};
    postgres_detail::ServerRole found;
    const Outcome outcome = postgres_detail::probe_role(conn, fresh, with_lag, limits, found);
    if (!outcome.ok()) return "cannot learn the server's role: " + explain(outcome, option, timeout);
    return postgres_detail::role_mismatch(found, options_.target_role, options_.max_standby_lag);
}

bool PostgresConnection::reset() {
    if (conn_ == nullptr || doomed_ || PQstatus(conn_) != CONNECTION_OK) return false;
    // The user may have installed their own receiver; ours notices a server
    // announcing that it is going away.
    PQsetNoticeReceiver(conn_, &PostgresConnection::on_notice, this);
    // What the server sent while the session was claimed, read without
    // waiting: its goodbye if it ended the session, or notifications.
    if (postgres_detail::peer_closed(conn_) || doomed_) return false;
    if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF && PQexitPipelineMode(conn_) != 1) return false;
    if (PQisnonblocking(conn_) != 0 && PQsetnonblocking(conn_, 0) != 0) return false;
    switch (PQtransactionStatus(conn_)) {
        case PQTRANS_IDLE:
            break;
        case PQTRANS_INTRANS:
        case PQTRANS_INERROR:
            if (!run_checked("ROLLBACK", "rollback on return")) return false;
            break;
        case PQTRANS_ACTIVE:
        case PQTRANS_UNKNOWN:
        default:
            // A query or COPY is still running: its results would reach the
            // next claimer. Cheaper and safer to open a new session.
            if (options_.logger) {
                options_.logger->debug("postgres {}: returned with a query in progress; discarding it",
                                       backend_key(backend_));
            }
            return false;
    }
    if (!options_.reset_query.empty() && !run_checked(options_.reset_query, "reset query")) return false;
    // Read by the claimer, or during the rollback or the reset query: meant
    // for the claimer, never for the next one.
    postgres_detail::drop_notifications(conn_);
    return PQtransactionStatus(conn_) == PQTRANS_IDLE && !doomed_;
}

bool PostgresConnection::run_checked(const std::string& sql, const char* purpose) {
    const Outcome outcome = postgres_detail::run_bounded(conn_, sql, limits_for(*this, options_.check_timeout));
    if (outcome.ok()) return true;
    if (options_.logger) {
        options_.logger->info("postgres {}: {} failed: {}", backend_key(backend_), purpose,
                              explain(outcome, "check_timeout", options_.check_timeout));
    }
    return false;
}

void PostgresConnection::on_notice(void* self, const PGresult* notice) noexcept {
    auto* connection = static_cast<PostgresConnection*>(self);
    const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity != nullptr && (std::strcmp(severity, "FATAL") == 0 || std::strcmp(severity, "PANIC") == 0)) {
        connection->doomed_ = true;
    }
    const auto& logger = connection->options_.logger;
    if (!logger) return;
    try {
        logger->debug("postgres {}: server says: {}", backend_key(connection->backend_),
                      clean_message(PQresultErrorMessage(notice)));
    } catch (...) {
        // libpq calls this from C; nothing may escape, and a lost notice is harmless.
    }
}

}  // namespace cueball
