#include "refusing_echo_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace cueball::soak {

namespace {

// How often the server thread looks at stopping_: it polls with this
// timeout rather than being woken, so that stopping needs no second channel.
constexpr int kPollMs = 20;

[[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("RefusingEchoServer: ") + what + ": " + std::strerror(errno));
}

}  // namespace

RefusingEchoServer::RefusingEchoServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const int saved = errno;
        ::close(listener_);
        errno = saved;
        fail("listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

RefusingEchoServer::~RefusingEchoServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
}

void RefusingEchoServer::serve() {
    std::vector<pollfd> fds{{listener_, POLLIN, 0}};
    while (!stopping_) {
        if (::poll(fds.data(), fds.size(), kPollMs) < 0 && errno != EINTR) break;
        for (std::size_t i = fds.size(); i-- > 1;) {
            if (fds[i].revents == 0) continue;
            // A request, or the client went away: either way the connection ends here.
            char byte;
            if (::recv(fds[i].fd, &byte, 1, MSG_DONTWAIT) > 0) ++refused_;
            ::close(fds[i].fd);
            fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (fds[0].revents & POLLIN) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) fds.push_back({fd, POLLIN, 0});
        }
        for (pollfd& p : fds) p.revents = 0;
    }
    for (std::size_t i = 1; i < fds.size(); ++i) ::close(fds[i].fd);
}

}  // namespace cueball::soak
