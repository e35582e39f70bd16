// StatsServer: an optional HTTP endpoint that serves the statistics of one or
// more pools while the process runs, for people (cueball-top, curl) and for
// Prometheus. Off unless the application creates one; link cueball::http.
//
//   GET /stats    200, application/json: to_json() of every registered pool
//   GET /metrics  200, text/plain; version=0.0.4: to_prometheus() of them all
//   HEAD of both  the same headers, no body
//   other paths   404; other methods 405 (with Allow: GET, HEAD)
//   malformed     400; headers over 8 KiB 431; a body over 4 KiB 413; then
//                 the connection is closed
//
// The endpoint has no authentication: it binds loopback by default, and
// should only be bound elsewhere behind a firewall.
//
// Thread safety: every member may be called from any thread at once, except
// from inside a source (which runs on the server's thread: add(), remove()
// and stop() called there would wait for themselves).
//
// Exceptions: the constructor throws InvalidArgument for bad options and
// Error when it cannot listen (the message names the address, the port and
// the system's reason); add() throws InvalidArgument for an empty or taken
// name or an empty source. A source that throws turns that one request into
// a 500; the server keeps serving.
//
// Object lifetimes: the constructor starts one thread that serves every
// client; stop() and the destructor join it. The server calls each source on
// its thread, for each request, until the source is removed: remove() and
// stop() wait for a call in progress, and after they return the source is
// never called again. So remove a pool's source (or stop the server) before
// the pool is destroyed.
#pragma once

#include <cueball/export.hpp>
#include <cueball/pool.hpp>
#include <cueball/stats.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace cueball {

struct StatsServerOptions {
    /// IP literal to listen on ("127.0.0.1", "::1"); a host name is rejected.
    std::string address = "127.0.0.1";
    /// TCP port; 0 = a free one chosen by the system (see StatsServer::port()).
    std::uint16_t port = 0;
    /// A client that has not sent a complete request, or not taken the whole
    /// response, this long after it started is disconnected (> 0).
    std::chrono::milliseconds request_timeout{5'000};
    /// Clients served at once (1 .. 10,000). At the limit a new client
    /// closes the client that has waited longest for its next request (an
    /// idle keep-alive connection); only when every client is in the middle
    /// of a request is the new one closed as soon as it is accepted. An idle
    /// keep-alive connection is also closed after request_timeout.
    std::size_t max_clients = 32;
    /// Where the server logs; null = stderr, warnings and errors only.
    std::shared_ptr<spdlog::logger> logger;
};

class CUEBALL_EXPORT StatsServer {
public:
    /// What the server calls, per request, for a pool's statistics.
    using Source = std::function<PoolStats()>;

    /// Listens and starts serving (with no pools registered yet).
    /// @throws InvalidArgument for bad options, Error if it cannot listen.
    explicit StatsServer(StatsServerOptions options);
    /// stop().
    ~StatsServer();
    StatsServer(const StatsServer&) = delete;
    StatsServer& operator=(const StatsServer&) = delete;

    /// Registers `source` under `name`, which also replaces PoolStats::name in
    /// what is served, so that every pool shown has a distinct name. Pools are
    /// shown in the order of their names.
    /// @throws InvalidArgument if name is empty or taken, or source is empty.
    void add(std::string name, Source source);
    /// Registers `pool` under its PoolOptions::name. The pool must outlive the
    /// registration: remove() it, or stop() the server, before destroying it.
    /// @throws InvalidArgument if a pool of that name is registered.
    template <class C>
    void add(const ConnectionPool<C>& pool) {
        add(pool.stats().name, [&pool] { return pool.stats(); });
    }
    /// Unregisters `name`; waits for a call of its source in progress. No-op
    /// for a name not registered.
    void remove(const std::string& name);

    /// The port it listens on (the chosen one when options.port was 0).
    std::uint16_t port() const;

    /// Closes the listener and every client connection, and joins the
    /// server's thread; sources are not called afterwards. Idempotent; every
    /// call returns once the thread has stopped.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cueball
