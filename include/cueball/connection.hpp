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
#pragma once

namespace cueball {

class Connection {
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
};

}  // namespace cueball
