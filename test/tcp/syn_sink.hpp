// A loopback port that never completes a TCP handshake, to test connect
// timeouts without sending anything off the machine: a listener with a
// backlog of 0 whose accept queue is filled and never drained, so that the
// kernel drops further SYNs as a firewall would.
#pragma once

#include <cstdint>
#include <vector>

namespace cueball::test {

class SynSink {
public:
    /// @throws std::runtime_error if the accept queue cannot be filled.
    SynSink();
    ~SynSink();
    SynSink(const SynSink&) = delete;
    SynSink& operator=(const SynSink&) = delete;

    /// On 127.0.0.1.
    std::uint16_t port() const { return port_; }

private:
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::vector<int> fillers_;  // connected or half-open clients filling the queue
};

}  // namespace cueball::test
