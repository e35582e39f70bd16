#include <cueball/connections/postgres.hpp>

#include "bounded.hpp"
#include "conninfo.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <utility>
#include <vector>

namespace cueball {

using postgres_detail::clean_message;

PostgresConnection::PostgresConnection(Backend backend, PostgresOptions options)
    : backend_(std::move(backend)), options_(std::move(options)) {
    postgres_detail::validate(backend_, options_);
}

PostgresConnection::~PostgresConnection() { close(); }

void PostgresConnection::connect() {
    if (conn_ != nullptr) throw PostgresError("cueball::PostgresConnection: connect() called twice");
    const auto keywords = postgres_detail::connection_keywords(backend_, options_);
    std::vector<const char*> keys, values;
    for (const auto& [key, value] : keywords) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    // expand_dbname = 0: a database name is a name, never a connection string.
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
    std::string where = "postgres " + backend_key(backend_);
    if (!options_.dbname.empty()) where += " database \"" + options_.dbname + "\"";
    if (!options_.user.empty()) where += " user \"" + options_.user + "\"";
    if (conn == nullptr) throw PostgresError(where + ": libpq could not allocate a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = where + ": " + clean_message(PQerrorMessage(conn));
        PQfinish(conn);
        throw PostgresError(message);
    }
    PQsetNoticeReceiver(conn, &PostgresConnection::on_notice, this);
    conn_ = conn;
}

void PostgresConnection::close() noexcept {
    if (conn_ != nullptr) PQfinish(std::exchange(conn_, nullptr));
}

bool PostgresConnection::is_valid() {
    if (conn_ == nullptr || doomed_ || PQstatus(conn_) != CONNECTION_OK) return false;
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
    if (postgres_detail::peer_closed(conn_) || doomed_) return false;
    return options_.validation_query.empty() || run_bounded(options_.validation_query, "validation query");
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
            if (!run_bounded("ROLLBACK", "rollback on return")) return false;
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
    if (!options_.reset_query.empty() && !run_bounded(options_.reset_query, "reset query")) return false;
    // Read by the claimer, or with the rollback or the reset query: meant
    // for the claimer, never for the next one.
    postgres_detail::drop_notifications(conn_);
    return PQtransactionStatus(conn_) == PQTRANS_IDLE && !doomed_;
}

bool PostgresConnection::run_bounded(const std::string& sql, const char* purpose) {
    const std::string error = postgres_detail::run_with_deadline(conn_, sql, options_.check_timeout);
    if (error.empty()) return true;
    if (options_.logger) {
        options_.logger->info("postgres {}: {} failed: {}", backend_key(backend_), purpose,
                              clean_message(error.c_str()));
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
