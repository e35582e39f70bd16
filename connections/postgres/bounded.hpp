// Talking to the server with a deadline: libpq's blocking calls wait forever
// on a server that stopped answering, which a health check or a reset on a
// user's thread must never do. These use libpq's asynchronous API and poll().
#pragma once

#include <chrono>
#include <string>

typedef struct pg_conn PGconn;

namespace cueball::postgres_detail {

// Sends `sql` (one or more statements) and reads every result, waiting at
// most `timeout` in total. Empty on success; otherwise why it failed (the
// server's error, a lost connection, or the timeout, after which a query may
// still be running and the connection must be closed). Leaves the connection
// in blocking mode.
std::string run_with_deadline(PGconn* conn, const std::string& sql, std::chrono::milliseconds timeout);

// True if the server closed the session or is closing it: reads what is
// already waiting on the socket (an error, notifications, end of file)
// without blocking. One poll() when nothing is waiting.
bool peer_closed(PGconn* conn);

// Frees the notifications libpq has read and not handed out.
void drop_notifications(PGconn* conn);

}  // namespace cueball::postgres_detail
