// tcp_echo_server [--host ADDRESS] PORT... (--help)
//
// Echoes every byte it receives, on every connection, on each port given
// (0 = one chosen by the system), until SIGINT or SIGTERM. Listens on
// 127.0.0.1 unless --host says otherwise (for example ::1).
#include "command_line.hpp"
#include "testing/echo_server.hpp"

#include <csignal>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    std::vector<std::uint16_t> ports;
    CLI::App app{"Echoes every byte it receives, on every connection, on each PORT, until SIGINT or SIGTERM.",
                 "tcp_echo_server"};
    app.add_option("--host", host, "IP address to listen on, e.g. ::1")->capture_default_str()->type_name("ADDRESS");
    app.add_option("PORT", ports, "port to serve echo on (0 = any free port); at least one")
        ->check(CLI::Range(0, 65535))
        ->type_name("PORT");
    // Not ->required(): CLI11 checks that before unknown flags, so a mistyped
    // flag would be reported as a missing port.
    app.final_callback([&ports] {
        if (ports.empty()) throw CLI::RequiredError("PORT");
    });
    if (const auto status = cueball::examples::parse_command_line(app, argc, argv)) return *status;

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
