// Talking to the server with a deadline: libpq's blocking calls wait forever
// on a server that stopped answering, which a connect, a health check or a
// reset on a user's thread must never do. These use libpq's asynchronous API
// and poll(), and give up when the deadline passes or the pool stops.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;

namespace cueball::postgres_detail {

// When a step gives up: at its own deadline (its timeout option), at the
// pool's deadline if that comes first, or once `stop` is requested (the pool
// is stopping), which a wait notices within kStopCheck.
struct Limits {
    std::chrono::steady_clock::time_point deadline;
    std::chrono::steady_clock::time_point pool_deadline;
    std::stop_token stop;
};

// A pool's stop() waits this much longer at most for each connect or check
// that is blocked on a server.
inline constexpr std::chrono::milliseconds kStopCheck{20};

struct Outcome {
    enum Kind {
        Done,          // finished: successfully if `error` is empty
        TimedOut,      // its own deadline passed first
        PoolDeadline,  // the pool's deadline passed first
        Stopped,       // the pool stopped first
    };
    Kind kind = Done;
    std::string error;  // libpq's or the server's message, for Done
    bool ok() const { return kind == Done && error.empty(); }
};

// Drives PQconnectPoll on a connection from PQconnectStartParams until it is
// made or fails.
Outcome finish_connect(PGconn* conn, const Limits& limits);

// Sends `sql` (one or more statements) and reads every result; the first
// row of the first result that has one goes to `first_row` if given. After a
// limit ended it a query may still be running, and after a COPY began
// the connection waits for data: the caller closes such a connection. Leaves
// the connection in blocking mode.
Outcome run_bounded(PGconn* conn, const std::string& sql, const Limits& limits,
                    std::vector<std::string>* first_row = nullptr);

// True if the server closed the session or is closing it: reads what is
// already waiting on the socket (an error, notifications, end of file)
// without blocking. One poll() when nothing is waiting.
bool peer_closed(PGconn* conn);

// Frees the notifications libpq has read and not handed out.
void drop_notifications(PGconn* conn);

}  // namespace cueball::postgres_detail
