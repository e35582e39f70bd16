// tcp_echo_server [--host ADDRESS] PORT...
//
// Echoes every byte it receives, on every connection, on each port given
// (0 = one chosen by the system), until SIGINT or SIGTERM. Listens on
// 127.0.0.1 unless --host says otherwise (for example ::1).
#include "testing/echo_server.hpp"

#include <charconv>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <string>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: tcp_echo_server [--host ADDRESS] PORT...\n"
    "  Serves echo on each PORT (0 = any free port) until SIGINT or SIGTERM.\n"
    "  --host ADDRESS  IP address to listen on (default 127.0.0.1; e.g. ::1)\n";

bool parse_port(const std::string& text, std::uint16_t& port) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, port);
    return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::vector<std::uint16_t> ports;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (arg == "--host") {
            if (i + 1 == argc) {
                std::cerr << "tcp_echo_server: --host needs an address\n" << kUsage;
                return 2;
            }
            host = argv[++i];
            continue;
        }
        std::uint16_t port = 0;
        if (!parse_port(arg, port)) {
            std::cerr << "tcp_echo_server: '" << arg << "' is not a port (0 to 65535)\n" << kUsage;
            return 2;
        }
        ports.push_back(port);
    }
    if (ports.empty()) {
        std::cerr << "tcp_echo_server: no port given\n" << kUsage;
        return 2;
    }

    // Blocked before the servers start their threads, which inherit the
    // mask, so that the signals reach sigwait() below and nothing else.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    std::vector<std::unique_ptr<cueball::testing::EchoServer>> servers;
    try {
        for (std::uint16_t port : ports) {
            servers.push_back(std::make_unique<cueball::testing::EchoServer>(host, port));
            std::cout << "tcp_echo_server: echoing on " << servers.back()->address() << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << "tcp_echo_server: " << e.what() << "\n";
        return 1;
    }

    int signal = 0;
    sigwait(&signals, &signal);
    std::cout << "tcp_echo_server: " << strsignal(signal) << ", stopping" << std::endl;
    return 0;
}
