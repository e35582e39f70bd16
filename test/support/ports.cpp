#include "support/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cueball::test {

namespace {

int bind_loopback(int type, std::uint16_t port) {
    int fd = socket(AF_INET, type, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

std::uint16_t port_of(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

}  // namespace

std::uint16_t free_tcp_port() {
    int fd = bind_loopback(SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("cannot bind a loopback port");
    std::uint16_t port = port_of(fd);
    close(fd);
    return port;
}

std::uint16_t free_udp_tcp_port() {
    for (int attempt = 0; attempt < 100; ++attempt) {
        int udp = bind_loopback(SOCK_DGRAM, 0);
        if (udp < 0) continue;
        std::uint16_t port = port_of(udp);
        int tcp = bind_loopback(SOCK_STREAM, port);
        close(udp);
        if (tcp >= 0) {
            close(tcp);
            return port;
        }
    }
    throw std::runtime_error("no loopback port free for both UDP and TCP");
}

}  // namespace cueball::test
