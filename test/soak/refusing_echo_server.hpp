// RefusingEchoServer: a loopback TCP server that accepts every connection
// and lets it sit idle, but closes it as soon as a request arrives, so every
// echo on it fails while connects and idle health checks succeed. The soak
// puts one behind the pool so that outlier ejection has a real backend to
// eject: no fault switch can make a live server behave this way.
//
// Thread safety: all members may be called from any thread.
// Lifetimes: the constructor starts one thread, the destructor stops and
// joins it.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace cueball::soak {

class RefusingEchoServer {
public:
    /// Listens on 127.0.0.1 on a free port. @throws std::runtime_error.
    RefusingEchoServer();
    ~RefusingEchoServer();
    RefusingEchoServer(const RefusingEchoServer&) = delete;
    RefusingEchoServer& operator=(const RefusingEchoServer&) = delete;

    std::uint16_t port() const { return port_; }
    /// Requests it has refused (connections closed on their first bytes).
    std::uint64_t refused() const { return refused_.load(); }

private:
    void serve();

    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> refused_{0};
    std::thread thread_;  // started by the constructor, joined by the destructor
};

}  // namespace cueball::soak
