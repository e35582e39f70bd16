// EchoServer: a TCP server inside the process that sends back every byte it
// receives, on every connection. For tests, examples, benchmarks and soak
// tests of cueball::tcp; not installed. stop() behaves like a killed server
// (the listener and every accepted connection are closed), and start() brings
// it back on the same port.
//
// Thread safety: all members may be called from any thread.
// Errors: the constructor and start() throw std::runtime_error naming the
// address when it cannot listen (a port in use, an address that is not an IP
// literal). Connection errors only end that connection.
// Lifetimes: each start() launches one thread that serves every connection;
// stop() and the destructor join it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace cueball::testing {

class EchoServer {
public:
    /// Listens on host (an IP literal, normally "127.0.0.1" or "::1") and
    /// port (0 = a free one, chosen by the system), and starts serving.
    /// @throws std::runtime_error if it cannot listen.
    explicit EchoServer(std::string host = "127.0.0.1", std::uint16_t port = 0);
    /// stop().
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    /// Listens again, on the same port, after stop(). A no-op while running.
    /// @throws std::runtime_error if it cannot listen.
    void start();
    /// Closes the listener and every accepted connection, and joins the
    /// server's thread. Idempotent.
    void stop();

    bool running() const;
    const std::string& host() const { return host_; }
    /// The port it listens on (also while stopped: where start() listens).
    std::uint16_t port() const;
    /// "127.0.0.1:7001" or "[::1]:7001", as cueball::backend_key spells it.
    std::string address() const;
    /// Accepted connections open right now.
    std::size_t connections() const { return open_.load(); }
    /// Connections accepted since construction, across restarts.
    std::uint64_t total_accepted() const { return total_accepted_.load(); }

private:
    struct Run;

    const std::string host_;
    // Serialises start() and stop(): stop() holds it while it joins, so a
    // concurrent start() cannot bind while the old listener is still open.
    mutable std::mutex mutex_;
    std::uint16_t port_;        // guarded by mutex_; 0 until the first start()
    std::unique_ptr<Run> run_;  // guarded by mutex_; null while stopped
    // Written by the server thread and by stop() (which destroys the
    // sessions); every session is gone before the server object is.
    std::atomic<std::size_t> open_{0};
    std::atomic<std::uint64_t> total_accepted_{0};
};

}  // namespace cueball::testing
