#include "bounded.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cerrno>
#include <poll.h>

namespace cueball::postgres_detail {

namespace {

using Clock = std::chrono::steady_clock;

enum class Ready { Yes, TimedOut, PoolDeadline, Stopped, Error };

// Waits until the socket is ready for `events`, in slices short enough to
// notice a stop request soon.
Ready wait_socket(PGconn* conn, short events, const Limits& limits, short* revents) {
    const int fd = PQsocket(conn);
    if (fd < 0) return Ready::Error;
    // Long waits are cut up too, so that no count overflows poll()'s int.
    constexpr std::chrono::milliseconds kLongestSlice{60'000};
    const auto deadline = std::min(limits.deadline, limits.pool_deadline);
    for (;;) {
        if (limits.stop.stop_requested()) return Ready::Stopped;
        const auto now = Clock::now();
        if (now >= deadline) return deadline == limits.deadline ? Ready::TimedOut : Ready::PoolDeadline;
        const auto slice = std::min({std::chrono::ceil<std::chrono::milliseconds>(deadline - now), kLongestSlice,
                                     limits.stop.stop_possible() ? kStopCheck : kLongestSlice});
        pollfd p{fd, events, 0};
        const int n = poll(&p, 1, static_cast<int>(slice.count()));
        if (n > 0) {
            *revents = p.revents;
            return Ready::Yes;
        }
        if (n < 0 && errno != EINTR) return Ready::Error;
    }
}

std::string libpq_error(PGconn* conn, const char* fallback) {
    const char* message = PQerrorMessage(conn);
    return (message != nullptr && *message != '\0') ? std::string(message) : std::string(fallback);
}

Outcome failed(std::string error) { return Outcome{Outcome::Done, std::move(error)}; }

// The outcome of a wait that did not end with the socket ready.
Outcome not_ready(Ready ready, PGconn* conn) {
    switch (ready) {
        case Ready::TimedOut:
            return Outcome{Outcome::TimedOut, {}};
        case Ready::PoolDeadline:
            return Outcome{Outcome::PoolDeadline, {}};
        case Ready::Stopped:
            return Outcome{Outcome::Stopped, {}};
        default:
            return failed(libpq_error(conn, "cannot wait on the socket"));
    }
}

// Sets blocking mode back however run_bounded returns.
struct BlockingAgain {
    PGconn* conn;
    ~BlockingAgain() { PQsetnonblocking(conn, 0); }
};

}  // namespace

Outcome finish_connect(PGconn* conn, const Limits& limits) {
    // What PQconnectStartParams leaves to do, as its documentation says.
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    for (;;) {
        short events = 0;
        switch (status) {
            case PGRES_POLLING_OK:
                return Outcome{};
            case PGRES_POLLING_FAILED:
                return failed(libpq_error(conn, "connection failed"));
            case PGRES_POLLING_READING:
                events = POLLIN;
                break;
            case PGRES_POLLING_WRITING:
                events = POLLOUT;
                break;
            default:
                break;  // PGRES_POLLING_ACTIVE, unused since libpq 8: poll again at once
        }
        if (events != 0) {
            short revents = 0;
            const Ready ready = wait_socket(conn, events, limits, &revents);
            if (ready != Ready::Yes) return not_ready(ready, conn);
        }
        status = PQconnectPoll(conn);
    }
}

Outcome run_bounded(PGconn* conn, const std::string& sql, const Limits& limits,
                    std::vector<std::string>* first_row) {
    if (PQsetnonblocking(conn, 1) != 0) return failed(libpq_error(conn, "cannot switch to non-blocking mode"));
    BlockingAgain blocking_again{conn};
    if (PQsendQuery(conn, sql.c_str()) != 1) return failed(libpq_error(conn, "cannot send the query"));
    for (;;) {
        const int flushed = PQflush(conn);
        if (flushed == 0) break;
        if (flushed < 0) return failed(libpq_error(conn, "cannot send the query"));
        short revents = 0;
        const Ready ready = wait_socket(conn, POLLIN | POLLOUT, limits, &revents);
        if (ready != Ready::Yes) return not_ready(ready, conn);
        if ((revents & POLLIN) != 0 && PQconsumeInput(conn) != 1) return failed(libpq_error(conn, "connection lost"));
    }
    std::string error;
    for (;;) {
        while (PQisBusy(conn) == 1) {
            short revents = 0;
            const Ready ready = wait_socket(conn, POLLIN, limits, &revents);
            if (ready != Ready::Yes) return not_ready(ready, conn);
            if (PQconsumeInput(conn) != 1) return failed(libpq_error(conn, "connection lost"));
        }
        PGresult* result = PQgetResult(conn);
        if (result == nullptr) break;
        const ExecStatusType status = PQresultStatus(result);
        if (first_row != nullptr && first_row->empty() && status == PGRES_TUPLES_OK && PQntuples(result) > 0) {
            for (int column = 0; column < PQnfields(result); ++column) {
                first_row->emplace_back(PQgetvalue(result, 0, column));
            }
        }
        const bool copying = status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
        if (error.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
            const char* message = PQresultErrorMessage(result);
            error = (message != nullptr && *message != '\0') ? std::string(message)
                                                              : std::string("unexpected result ") + PQresStatus(status);
        }
        PQclear(result);
        // A COPY would wait for data that never comes; the caller closes the connection.
        if (copying) return failed(error);
    }
    return failed(std::move(error));
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
