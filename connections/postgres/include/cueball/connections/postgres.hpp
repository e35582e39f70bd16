// PostgresConnection: a cueball Connection over libpq, so that a
// ConnectionPool<PostgresConnection> keeps PostgreSQL sessions open across
// the servers a resolver reports and lends them out for queries through
// native().
//
//   cueball::PostgresOptions pg{.dbname = "app", .user = "app", .password = secret};
//   cueball::ConnectionPool<cueball::PostgresConnection> pool(
//       {}, resolver, [pg](const cueball::Backend& b) {
//           return std::make_unique<cueball::PostgresConnection>(b, pg);
//       });
//   auto conn = pool.claim();
//   PGresult* r = PQexec(conn->native(), "SELECT 1");
//
// Life cycle as the pool drives it:
//   connect()   PQconnectStartParams with the backend's address and port and
//               the options below, passed as separate keywords (never spliced
//               into a conninfo string), so any byte sequence works as a
//               database name or password; then PQconnectPoll, waiting on the
//               socket, until connect_timeout or the pool's deadline passes
//               or the pool stops.
//   is_valid()  the connection is CONNECTION_OK, the server has not announced
//               it is going away, validation_query (if set) succeeds within
//               check_timeout, and the server still has target_role and no
//               more than max_standby_lag (when set).
//   reset()     on return to the pool: a session the server has ended or
//               is ending is discarded (found without waiting, from what has
//               arrived on the socket); an open or failed transaction is
//               rolled back; reset_query (DISCARD ALL by default) runs;
//               notifications that arrived are dropped. A query still in
//               flight or a COPY in progress (transaction status ACTIVE) or
//               an unknown status discards the connection.
//   close()     PQfinish, once.
//
// Thread safety: like every Connection, one object is used by one thread at a
// time (the pool guarantees it); different objects are independent.
// Errors: connect() throws PostgresError with libpq's message; is_valid() and
// reset() return false rather than throw. The password never appears in an
// exception, a log line or the pool's stats.
// Stopping: connect() and the queries of is_valid() and reset() give up
// within 20 ms of the pool's stop() and at
// the pool's deadline (Connection::pool_stop_token(), pool_deadline()), so a
// server that accepts connections but never answers cannot hold up stop().
// Lifetimes: native() is valid from a successful connect() until close() or
// destruction. Do not PQfinish it yourself, and do not keep it past the claim.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>
#include <cueball/errors.hpp>
#include <cueball/export.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

// libpq's own forward declarations (libpq-fe.h says exactly these), so that
// this header does not pull in libpq-fe.h.
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace spdlog {
class logger;
}

namespace cueball::postgres_detail {
struct Limits;
}

namespace cueball {

/// connect() failed: libpq's message, with the server and the user, never the
/// password. The pool shows it in its logs, stats and ClaimTimeout messages.
class CUEBALL_EXPORT PostgresError : public Error {
public:
    using Error::Error;
};

/// Which servers a PostgresConnection accepts, by their role.
enum class TargetRole {
    any,      ///< primaries and standbys alike; the role is never checked
    primary,  ///< a server that accepts writes (not in recovery)
    standby,  ///< a hot standby (in recovery)
};
/// "any", "primary" or "standby".
CUEBALL_EXPORT const char* to_string(TargetRole role) noexcept;

struct PostgresOptions {
    /// Database to connect to; empty = libpq's default (the user name).
    /// Taken literally, never expanded as a connection string.
    std::string dbname;
    /// Role to log in as; empty = libpq's default (PGUSER or the OS user).
    std::string user;
    /// Password; empty = none (or libpq's PGPASSWORD / ~/.pgpass).
    std::string password;
    /// Shown in pg_stat_activity; empty = "cueball".
    std::string application_name;
    /// Longest connect(), to the millisecond, for all the addresses a host
    /// name resolves to together (the look-up itself is libpq's blocking
    /// getaddrinfo, outside it). Must be positive.
    std::chrono::milliseconds connect_timeout{5'000};
    /// Run by is_valid() on idle connections, e.g. "SELECT 1"; empty = check
    /// the connection's state and socket only, without a round trip.
    std::string validation_query;
    /// Run by reset() after every return of a connection, after the
    /// rollback of an open transaction. The default, DISCARD ALL, leaves the
    /// next claimer a fresh session: no settings, prepared statements, temp
    /// tables, cursors, advisory locks or LISTEN channels (one round trip per
    /// release). Empty = none, a lighter reset chosen on purpose: the session
    /// keeps all of that, and notifications on channels still listened to
    /// can reach the next claimer. A failure discards the connection.
    std::string reset_query = "DISCARD ALL";
    /// Longest wait for validation_query, reset_query or the ROLLBACK that
    /// reset() sends (shorter if the pool's deadline comes first); past it
    /// the connection counts as broken. Must be positive.
    std::chrono::milliseconds check_timeout{2'000};
    /// The role the server must have. Not any: connect() fails on a server
    /// in another role, with an error naming the role found ("server is a
    /// standby; the pool wants a primary"), and is_valid() checks it again
    /// (one round trip), so that after a promotion the pool moves its
    /// connections to the new primary. Default any.
    TargetRole target_role = TargetRole::any;
    /// Largest replay lag a standby may have; 0 = no limit (the default).
    /// Checked by connect() and is_valid() (one round trip): a standby
    /// further behind fails both, and serves again once it has caught up.
    /// The lag is 0 while the standby has replayed all the WAL it received,
    /// and otherwise the time since the commit of the last transaction it
    /// replayed, so a primary without writes never makes a standby lag.
    /// Primaries have no lag. Must not be negative.
    std::chrono::milliseconds max_standby_lag{0};
    /// Further libpq connection keywords, e.g. {"sslmode", "require"} or
    /// {"options", "-c search_path=app"}. Keywords set by the fields above
    /// (host, hostaddr, port, dbname, user, password, application_name,
    /// connect_timeout, service) are rejected.
    std::map<std::string, std::string> parameters;
    /// Where server notices and rollback failures are logged (debug and
    /// info); null = nowhere. Connect failures reach the pool's log anyway.
    std::shared_ptr<spdlog::logger> logger;
};

class CUEBALL_EXPORT PostgresConnection : public Connection {
public:
    /// Checks the options; connects only in connect().
    /// @throws InvalidArgument for an empty address, port 0, a non-positive
    /// timeout, a string with a NUL byte or a reserved parameters keyword.
    PostgresConnection(Backend backend, PostgresOptions options);
    ~PostgresConnection() override;
    PostgresConnection(const PostgresConnection&) = delete;
    PostgresConnection& operator=(const PostgresConnection&) = delete;

    /// Blocking, up to connect_timeout or the pool's deadline, whichever
    /// comes first; gives up when the pool stops.
    /// @throws PostgresError with libpq's message, or saying which limit
    /// ended the attempt.
    void connect() override;
    /// PQfinish; idempotent.
    void close() noexcept override;
    /// False if the connection is bad or the server went away (checked
    /// without blocking), validation_query fails or exceeds check_timeout,
    /// or the server's role or replay lag no longer fit the options.
    bool is_valid() override;
    /// True to keep the connection: idle, or rolled back to idle, with
    /// reset_query done and no notification left for the next claimer.
    /// False if the server has closed the session or said it will, a query
    /// or COPY is still in progress, the status is unknown, or the rollback
    /// or reset_query failed. Costs a poll() of the socket without waiting,
    /// plus one round trip each for a rollback and for reset_query.
    bool reset() override;

    /// The libpq connection for the caller's queries; null before connect()
    /// and after close().
    PGconn* native() noexcept { return conn_; }
    const Backend& backend() const noexcept { return backend_; }

private:
    // libpq's notice receiver: logs the notice, and notes a FATAL or PANIC.
    static void on_notice(void* self, const PGresult* notice) noexcept;
    // Runs `sql` within check_timeout (and the pool's deadline and stop);
    // false (logged) if it fails.
    bool run_checked(const std::string& sql, const char* purpose);
    // Empty if the server on `conn` has the role and lag the options ask
    // for (or they ask for none); otherwise why not. `fresh`: a round trip
    // has just been made, so the server's reported parameters are current.
    // `limits` bound the check; `option` and `timeout` name them in messages.
    std::string role_problem(PGconn* conn, bool fresh, const postgres_detail::Limits& limits, const char* option,
                             std::chrono::milliseconds timeout);

    Backend backend_;
    PostgresOptions options_;
    PGconn* conn_ = nullptr;
    // Set by the notice receiver when the server sends FATAL or PANIC outside
    // a query: it is about to close the session (shutdown, terminate).
    bool doomed_ = false;
};

}  // namespace cueball
