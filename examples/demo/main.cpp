// The pool at work over simulated local backends: worker threads claim
// connections and do short "queries" while the main thread prints, every
// second, how the pool spreads its connections. Midway one backend is
// removed and later added back, so the rebalance can be watched; another is
// down (refuses connects) for the first half of the run, so the backoff and
// recovery can be watched too.
//
//   cueball-demo [--seconds N] [--threads N] [--max-connections N]
#include <cueball/cueball.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kFlakyPort = 7005;
std::atomic<bool> flaky_backend_down{true};

// Stands in for a network connection: connecting and querying take a little
// time, as they would against a server on this machine.
class SimulatedConnection : public cueball::Connection {
public:
    explicit SimulatedConnection(cueball::Backend backend) : backend_(std::move(backend)) {}
    void connect() override {
        std::this_thread::sleep_for(20ms);
        if (backend_.port == kFlakyPort && flaky_backend_down) {
            throw std::runtime_error("connection refused by " + cueball::backend_key(backend_));
        }
    }
    void close() noexcept override {}
    void query() { std::this_thread::sleep_for(2ms); }

private:
    cueball::Backend backend_;
};

struct Args {
    int seconds = 8;
    int threads = 8;
    std::size_t max_connections = 12;
};

Args parse(int argc, char** argv) {
    Args args;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> long {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", a.c_str());
                std::exit(2);
            }
            char* end = nullptr;
            long v = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > 100'000) {
                std::fprintf(stderr, "%s: '%s' is not a number from 1 to 100000\n", a.c_str(), argv[i]);
                std::exit(2);
            }
            return v;
        };
        if (a == "--seconds") {
            args.seconds = static_cast<int>(value());
        } else if (a == "--threads") {
            args.threads = static_cast<int>(value());
        } else if (a == "--max-connections") {
            args.max_connections = static_cast<std::size_t>(value());
        } else {
            std::fprintf(stderr, "usage: cueball-demo [--seconds N] [--threads N] [--max-connections N]\n");
            std::exit(a == "--help" ? 0 : 2);
        }
    }
    return args;
}

void print(int second, const cueball::PoolStats& s, std::uint64_t claims) {
    std::printf("t=%2ds  claims/s=%-6llu open=%zu idle=%zu claimed=%zu connecting=%zu waiters=%zu\n", second,
                static_cast<unsigned long long>(claims), s.total_connections, s.idle_connections,
                s.claimed_connections, s.pending_connections, s.waiters);
    for (const auto& b : s.backends) {
        std::printf("      %-16s idle=%-3zu claimed=%-3zu connecting=%-3zu %s\n", b.key.c_str(), b.idle, b.claimed,
                    b.connecting, cueball::to_string(b.state));
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse(argc, argv);
    std::vector<cueball::Backend> backends;
    for (std::uint16_t port = 7001; port <= kFlakyPort; ++port) backends.push_back({"127.0.0.1", port, {}});
    const cueball::Backend removed_midway = backends[3];
    auto resolver = std::make_shared<cueball::StaticResolver>(backends);

    cueball::PoolOptions options;
    options.name = "demo";
    options.max_connections = args.max_connections;
    options.backoff_max = 1s;
    cueball::ConnectionPool<SimulatedConnection> pool(options, resolver, [](const cueball::Backend& b) {
        return std::make_unique<SimulatedConnection>(b);
    });

    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> claims{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < args.threads; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t));
            while (!done) {
                try {
                    auto conn = pool.claim(5s);
                    conn->query();
                    ++claims;
                } catch (const cueball::PoolStopped&) {
                    return;
                } catch (const cueball::Error& e) {
                    std::fprintf(stderr, "worker %d: %s\n", t, e.what());
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 3));
            }
        });
    }

    const int remove_at = args.seconds * 3 / 8, add_at = args.seconds * 5 / 8, heal_at = args.seconds / 2;
    std::uint64_t last = 0;
    for (int second = 1; second <= args.seconds; ++second) {
        std::this_thread::sleep_for(1s);
        const std::uint64_t now = claims.load();
        print(second, pool.stats(), now - last);
        last = now;
        if (second == remove_at) {
            std::printf("--- removing backend %s\n", cueball::backend_key(removed_midway).c_str());
            resolver->remove(removed_midway);
        }
        if (second == heal_at) {
            std::printf("--- backend 127.0.0.1:%u accepts connections again\n", kFlakyPort);
            flaky_backend_down = false;
        }
        if (second == add_at) {
            std::printf("--- adding backend %s back\n", cueball::backend_key(removed_midway).c_str());
            resolver->add(removed_midway);
        }
        std::fflush(stdout);
    }
    done = true;
    for (auto& w : workers) w.join();
    pool.stop();
    std::printf("done: %llu claims\n", static_cast<unsigned long long>(claims.load()));
    return 0;
}
