// Connection: what a pool holds. Plugins (TcpConnection, PostgresConnection)
// and users derive from it; the pool creates objects through a factory and
// drives their life cycle:
//
//   factory(backend) -> connect() -> [is_valid() while idle]* ->
//   claimed by a user -> reset() on return -> ... -> close() -> destroyed
//
// Thread safety: the pool never calls two of these at once on one object, and
// never touches an object while a user holds it. Calls may come from
// different threads over the object's life.
// Errors: connect() reports failure by throwing (any std::exception; its
// what() is shown in logs, stats and ClaimTimeout messages). is_valid() and
// reset() report a bad connection by returning false or throwing; the pool
// then closes it and opens a replacement.
// Lifetimes: each object is connected at most once; a retry asks the factory
// for a new object. If connect() throws, the object is destroyed without a
// call to close().
// Deadlines: the pool cannot interrupt a call into a connection, so stop()
// waits for a connect() or is_valid() that is running. A connection that
// blocks should give up by pool_deadline() and when pool_stop_token() is
// requested; the plugins do (see "Stopping" in the README).
#pragma once

#include <cueball/export.hpp>

#include <chrono>
#include <stop_token>
#include <utility>

namespace cueball {

namespace detail {
struct ConnectionAccess;
}

class CUEBALL_EXPORT Connection {
public:
    virtual ~Connection() = default;
    /// Blocking; throws on failure. Called once, on a pool worker thread.
    virtual void connect() = 0;
    /// Idempotent; must not throw.
    virtual void close() noexcept = 0;
    /// Health check of an idle connection, on a pool worker thread.
    virtual bool is_valid() { return true; }
    /// Called on the releasing thread when a claim is given back; false
    /// (or an exception) means the connection is discarded instead.
    virtual bool reset() { return true; }

    /// Requested when the pool that made this connection begins stop(): a
    /// connect() or is_valid() still running should return (connect() by
    /// throwing) as soon as it can. Never requested for a connection made
    /// outside a pool.
    std::stop_token pool_stop_token() const noexcept { return stop_; }
    /// While the pool runs connect() or is_valid() on a worker: the time at
    /// which the pool gives up waiting for it (connect_timeout after
    /// connect() began; for a validation on claim, the claim's deadline).
    /// time_point::max() when there is none, as for a connection made
    /// outside a pool.
    std::chrono::steady_clock::time_point pool_deadline() const noexcept { return deadline_; }

private:
    friend struct detail::ConnectionAccess;
    std::stop_token stop_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

namespace detail {
// How the pool sets what a connection can learn of it; not for users.
struct ConnectionAccess {
    static void set_stop_token(Connection& c, std::stop_token token) noexcept { c.stop_ = std::move(token); }
    static void set_deadline(Connection& c, std::chrono::steady_clock::time_point at) noexcept { c.deadline_ = at; }
};
}  // namespace detail

}  // namespace cueball
