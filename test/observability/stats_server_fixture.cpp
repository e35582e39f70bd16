// A process for cueball-top's tests: a pool "fixture" over --backends
// backends (default 3) 127.0.0.1:10001, :10002, ..., of which :10003 never
// connects, a thread claiming from it, and a StatsServer on loopback. Prints
// "port N" once it serves, then exits after --seconds (default 60) so that a
// lost fixture cannot outlive its test long.
#include <cueball/cueball.hpp>
#include <cueball/stats_server.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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
    int backends = 3;
    bool ok = argc % 2 == 1;
    for (int i = 1; ok && i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--seconds") {
            seconds = std::atoi(argv[i + 1]);
        } else if (flag == "--backends") {
            backends = std::atoi(argv[i + 1]);
        } else {
            ok = false;
        }
    }
    if (!ok || seconds <= 0 || backends < 3 || backends > 1000) {
        std::cerr << "usage: stats_server_fixture [--seconds N] [--backends 3..1000]\n";
        return 2;
    }
    cueball::PoolOptions options;
    options.name = "fixture";
    // At least one connection for each backend that connects.
    options.max_connections = static_cast<std::size_t>(std::max(4, backends));
    options.rebalance_delay = std::chrono::milliseconds(10);
    options.backoff_initial = std::chrono::milliseconds(50);
    options.backoff_max = std::chrono::milliseconds(500);
    std::vector<cueball::Backend> list;
    for (int i = 1; i <= backends; ++i) list.push_back({"127.0.0.1", static_cast<std::uint16_t>(10000 + i), {}});
    auto resolver = std::make_shared<cueball::StaticResolver>(list);
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
