#include "syn_sink.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cueball::test {

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Starts a non-blocking connect; true if it completed within `wait_ms`.
bool connects(int fd, std::uint16_t port, int wait_ms) {
    sockaddr_in addr = loopback(port);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
    if (errno != EINPROGRESS) throw std::runtime_error("SynSink: filler connect failed");
    pollfd p{fd, POLLOUT, 0};
    return poll(&p, 1, wait_ms) == 1;
}

}  // namespace

SynSink::SynSink() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listener_, 0) != 0 || getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (listener_ >= 0) close(listener_);
        throw std::runtime_error("SynSink: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    // Connect clients until one hangs: from then on the queue is full. On
    // loopback a handshake the kernel accepts completes at once, so half a
    // second without one means the SYN was dropped.
    for (int i = 0; i < 16; ++i) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) break;
        fillers_.push_back(fd);
        if (!connects(fd, port_, 500)) return;
    }
    for (int fd : fillers_) close(fd);
    close(listener_);
    throw std::runtime_error("SynSink: the accept queue did not fill up");
}

SynSink::~SynSink() {
    for (int fd : fillers_) close(fd);
    close(listener_);
}

}  // namespace cueball::test
