// A loopback port whose server never speaks: the kernel completes every TCP
// handshake (a listener with a deep backlog that nobody accepts from), and
// the PostgreSQL startup message that follows goes unanswered, as with a
// server that hangs before authentication.
#pragma once

#include <cstdint>

namespace cueball::test {

class SilentListener {
public:
    /// @throws std::runtime_error if it cannot listen on 127.0.0.1.
    SilentListener();
    ~SilentListener();
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;

    /// On 127.0.0.1.
    std::uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace cueball::test
