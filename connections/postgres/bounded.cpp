#include "bounded.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <poll.h>

namespace cueball::postgres_detail {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the socket is ready for `events` or the deadline passes.
bool wait_socket(PGconn* conn, short events, Clock::time_point deadline, short* revents) {
    const int fd = PQsocket(conn);
    if (fd < 0) return false;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd, events, 0};
        const int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n > 0) {
            *revents = p.revents;
            return true;
        }
        if (n < 0 && errno != EINTR) return false;
    }
}

std::string libpq_error(PGconn* conn, const char* fallback) {
    const char* message = PQerrorMessage(conn);
    return (message != nullptr && *message != '\0') ? std::string(message) : std::string(fallback);
}

// Sets blocking mode back however run_with_deadline returns.
struct BlockingAgain {
    PGconn* conn;
    ~BlockingAgain() { PQsetnonblocking(conn, 0); }
};

}  // namespace

std::string run_with_deadline(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const std::string timed_out = "no answer within " + std::to_string(timeout.count()) + " ms";
    if (PQsetnonblocking(conn, 1) != 0) return libpq_error(conn, "cannot switch to non-blocking mode");
    BlockingAgain blocking_again{conn};
    if (PQsendQuery(conn, sql.c_str()) != 1) return libpq_error(conn, "cannot send the query");
    for (;;) {
        const int flushed = PQflush(conn);
        if (flushed == 0) break;
        if (flushed < 0) return libpq_error(conn, "cannot send the query");
        short revents = 0;
        if (!wait_socket(conn, POLLIN | POLLOUT, deadline, &revents)) return timed_out;
        if ((revents & POLLIN) != 0 && PQconsumeInput(conn) != 1) return libpq_error(conn, "connection lost");
    }
    std::string error;
    for (;;) {
        while (PQisBusy(conn) == 1) {
            short revents = 0;
            if (!wait_socket(conn, POLLIN, deadline, &revents)) return timed_out;
            if (PQconsumeInput(conn) != 1) return libpq_error(conn, "connection lost");
        }
        PGresult* result = PQgetResult(conn);
        if (result == nullptr) break;
        const ExecStatusType status = PQresultStatus(result);
        const bool copying = status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
        if (error.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
            const char* message = PQresultErrorMessage(result);
            error = (message != nullptr && *message != '\0') ? std::string(message)
                                                              : std::string("unexpected result ") + PQresStatus(status);
        }
        PQclear(result);
        // A COPY would wait for data that never comes; the caller closes the connection.
        if (copying) return error;
    }
    return error;
}

bool peer_closed(PGconn* conn) {
    const int fd = PQsocket(conn);
    if (fd < 0 || PQstatus(conn) != CONNECTION_OK) return true;
    // A closing server sends its FATAL message, then end of file; the two
    // may be read in separate rounds.
    for (int round = 0; round < 4; ++round) {
        pollfd p{fd, POLLIN, 0};
        const int n = poll(&p, 1, 0);
        if (n == 0) return false;
        if (n < 0) return errno != EINTR && errno != EAGAIN;
        if ((p.revents & POLLNVAL) != 0) return true;
        if (PQconsumeInput(conn) != 1 || PQstatus(conn) != CONNECTION_OK) return true;
        if ((p.revents & (POLLERR | POLLHUP)) != 0) return true;
    }
    return false;
}

void drop_notifications(PGconn* conn) {
    while (PGnotify* notification = PQnotifies(conn)) PQfreemem(notification);
}

}  // namespace cueball::postgres_detail
