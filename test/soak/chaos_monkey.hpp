// The soak's chaos thread: on a seeded random schedule it kills and restarts
// echo servers, adds and removes backends through the StaticResolver, and
// flips the per-backend fault switches (slow or failing connects, failing
// health checks and resets), each fault healing after a random while.
#pragma once

#include "chaos_connection.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace cueball::soak {

struct ChaosCounts {
    std::atomic<std::uint64_t> kills{0}, restarts{0}, restart_failures{0};
    std::atomic<std::uint64_t> removes{0}, adds{0};
    std::atomic<std::uint64_t> slow_connects{0}, failing_connects{0}, failing_checks{0}, failing_resets{0};
    std::atomic<std::uint64_t> faults_healed{0};

    std::uint64_t injected() const {
        return kills + removes + slow_connects + failing_connects + failing_checks + failing_resets;
    }
};

class ChaosMonkey {
public:
    // `in_pool(key)`: whether the pool still knows the backend (stats lists
    // it); a backend is added back only once the pool has forgotten it, so
    // that claims still out on its drained connections never count against
    // max_connections.
    ChaosMonkey(std::uint64_t seed, std::vector<testing::EchoServer*> servers, std::size_t initially_in_resolver,
                std::shared_ptr<StaticResolver> resolver, std::shared_ptr<FaultSwitches> faults,
                std::function<bool(const BackendKey&)> in_pool);
    ~ChaosMonkey();
    ChaosMonkey(const ChaosMonkey&) = delete;
    ChaosMonkey& operator=(const ChaosMonkey&) = delete;

    // Starts the chaos thread; finish() joins it.
    void start();
    // Stops the chaos, then heals everything: faults off, every server
    // running, every backend in the resolver. False if a backend could not be
    // added back within `within`.
    bool finish(std::chrono::milliseconds within);

    const ChaosCounts& counts() const { return counts_; }

private:
    using Clock = std::chrono::steady_clock;
    struct Target {
        testing::EchoServer* server;
        Backend backend;
        bool in_resolver = false;
        Clock::time_point restart_at = Clock::time_point::max();  // while killed
        Clock::time_point heal_at = Clock::time_point::max();     // while a fault is on
    };

    void run();
    void act(Clock::time_point now);
    void heal_due(Clock::time_point now);
    void inject_fault(Target& t, Clock::time_point now);
    void kill(Target& t, Clock::time_point now);
    void restart(Target& t);
    std::chrono::milliseconds between(int lo_ms, int hi_ms);
    Target* pick(const std::function<bool(const Target&)>& eligible);

    std::mt19937_64 rng_;  // only the chaos thread (and finish(), after the join) uses it
    std::vector<Target> targets_;
    std::shared_ptr<StaticResolver> resolver_;
    std::shared_ptr<FaultSwitches> faults_;
    std::function<bool(const BackendKey&)> in_pool_;
    ChaosCounts counts_;

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;     // started by start(), joined by finish() or the destructor
};

}  // namespace cueball::soak
