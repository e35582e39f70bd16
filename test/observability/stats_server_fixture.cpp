// A process for cueball-top's tests: a pool "fixture" over three backends, of
// which 127.0.0.1:10003 never connects, a thread claiming from it, and a
// StatsServer on loopback. Prints "port N" once it serves, then exits after
// --seconds (default 60) so that a lost fixture cannot outlive its test long.
#include <cueball/cueball.hpp>
#include <cueball/stats_server.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

constexpr std::uint16_t kRefusingPort = 10003;

// No I/O: connects at once, except to the refusing backend.
class NullConnection : public cueball::Connection {
public:
    explicit NullConnection(const cueball::Backend& backend) : port_(backend.port) {}
    void connect() override {
        if (port_ == kRefusingPort) throw std::runtime_error("connection refused (fixture)");
    }
    void close() noexcept override {}

private:
    std::uint16_t port_;
};

}  // namespace

int main(int argc, char** argv) {
    int seconds = 60;
    if (argc == 3 && std::string(argv[1]) == "--seconds") seconds = std::atoi(argv[2]);
    if (seconds <= 0 || (argc != 1 && argc != 3)) {
        std::cerr << "usage: stats_server_fixture [--seconds N]\n";
        return 2;
    }
    cueball::PoolOptions options;
    options.name = "fixture";
    options.max_connections = 4;
    options.rebalance_delay = std::chrono::milliseconds(10);
    options.backoff_initial = std::chrono::milliseconds(50);
    options.backoff_max = std::chrono::milliseconds(500);
    auto resolver = std::make_shared<cueball::StaticResolver>(std::vector<cueball::Backend>{
        {"127.0.0.1", 10001, {}}, {"127.0.0.1", 10002, {}}, {"127.0.0.1", kRefusingPort, {}}});
    cueball::ConnectionPool<NullConnection> pool(
        options, resolver, [](const cueball::Backend& b) { return std::make_unique<NullConnection>(b); });

    cueball::StatsServer server({});
    server.add(pool);
    std::cout << "port " << server.port() << std::endl;

    // Claims at a modest pace, so that claims/s has something to show.
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        try {
            pool.claim(std::chrono::milliseconds(100)).release();
        } catch (const cueball::ClaimTimeout&) {
            // Backends still connecting; try again.
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    server.stop();
    return 0;
}
