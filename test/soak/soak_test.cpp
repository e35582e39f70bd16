// Chaos soak: 32 threads claim from a ConnectionPool of real TCP connections
// over loopback echo servers while a chaos thread kills and restarts the
// servers, adds and removes backends, and makes connects slow or failing and
// health checks and resets fail. Throughout, and at the end, the pool's
// promises must hold: no connection held by two claimers, never more claimed
// than max_connections plus what removed backends still drain, every echo
// returns the claimer's own bytes, no claim outlives its deadline by more
// than a small bound, every connection opened is closed exactly once, and
// stop() returns promptly with claims outstanding. One more backend accepts
// connections but fails every echo: outlier ejection must take it out, and
// readmit it, again and again.
//
// CUEBALL_SOAK_SECONDS sets the length (default 60), CUEBALL_SOAK_SEED
// replays a run's chaos schedule and claim pattern (thread timing still
// varies).
#include "chaos_connection.hpp"
#include "chaos_monkey.hpp"
#include "refusing_echo_server.hpp"
#include "soak_settings.hpp"
#include "support/eventually.hpp"
#include "testing/echo_client.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cueball::soak {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Pool = ConnectionPool<ChaosConnection>;

constexpr std::size_t kServers = 6;
constexpr std::size_t kInitialBackends = 4;
constexpr std::size_t kMaxConnections = 12;
constexpr int kWorkers = 32;
constexpr std::size_t kHeldAtStop = 3;
constexpr int kLullWorkers = 4;  // threads that keep claiming during a lull

// Broken promises, collected from every thread and reported by the test's.
class Violations {
public:
    void add(std::string what) {
        std::lock_guard lock(mutex_);
        if (++count_ <= 20) first_.push_back(std::move(what));
    }
    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return count_;
    }
    std::string report() const {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const std::string& w : first_) out += "  " + w + "\n";
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::size_t count_ = 0;          // guarded by mutex_
    std::vector<std::string> first_;  // guarded by mutex_
};

struct ClaimCounts {
    std::atomic<std::uint64_t> claims{0}, timeouts{0}, no_backends{0}, echoes{0}, echo_errors{0}, discards{0};
    std::atomic<std::uint64_t> late_resets{0};  // see the echo check in the worker
    std::atomic<std::uint64_t> refused{0};      // echoes the refusing backend failed, as it should
    std::atomic<std::int64_t> worst_overshoot_ms{0};  // claim wait beyond its timeout
};

PoolOptions soak_options() {
    PoolOptions o;
    o.name = "soak";
    o.max_connections = kMaxConnections;
    o.rebalance_delay = 20ms;
    o.decoherence_interval = 250ms;
    o.health_check_interval = 100ms;
    o.connect_timeout = 1'000ms;
    o.backoff_initial = 20ms;
    o.backoff_max = 400ms;
    o.connector_threads = 4;
    // Random discards (3 %) rarely come three in a row; the refusing
    // backend's always do.
    o.outlier_detection.consecutive_failures = 3;
    o.outlier_detection.base_ejection_time = 300ms;
    // Failing backends are the point here: the pool logs each at warning
    // level; keep the output for real errors.
    auto logger = std::make_shared<spdlog::logger>("soak", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::level::err);
    o.logger = logger;
    return o;
}

class Soak {
public:
    Soak(std::uint64_t seed, std::chrono::seconds duration)
        : seed_(seed), duration_(duration), bound_(500ms * slowdown()) {
        std::vector<Backend> initial;
        std::vector<testing::EchoServer*> raw;
        for (std::size_t i = 0; i < kServers; ++i) {
            servers_.push_back(std::make_unique<testing::EchoServer>());
            raw.push_back(servers_.back().get());
            if (i < kInitialBackends) initial.push_back(Backend{"127.0.0.1", servers_.back()->port(), {}});
        }
        refusing_backend_ = Backend{"127.0.0.1", refusing_.port(), {}};
        initial.push_back(refusing_backend_);
        resolver_ = std::make_shared<StaticResolver>(initial);
        pool_ = std::make_unique<Pool>(soak_options(), resolver_, [faults = faults_, ledger = ledger_](const Backend& b) {
            return std::make_unique<ChaosConnection>(b, TcpOptions{.connect_timeout = 800ms}, faults, ledger);
        });
        chaos_ = std::make_unique<ChaosMonkey>(seed, raw, kInitialBackends, resolver_, faults_,
                                               [this](const BackendKey& key) { return known(key); });
    }

    void run() {
        const Clock::time_point end = Clock::now() + duration_;
        chaos_->start();
        monitor_ = std::thread([this] { monitor(); });
        for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this, i] { work(i); });
        // One second in five only a few threads claim, so that connections sit
        // idle long enough for health checks and the shuffle to reach them.
        for (Clock::time_point now = Clock::now(); now < end && violations_.count() == 0; now = Clock::now()) {
            lull_ = (end - now) % 5s < 1s;
            std::this_thread::sleep_for(100ms);
        }
        lull_ = false;

        if (!chaos_->finish(test::kLiveness)) violations_.add("could not heal the backends after the chaos");
        // What ejection did to the refusing backend, then it goes, so that the
        // pool can be checked for its full, healthy size.
        for (const BackendStats& b : pool_->stats().backends) {
            if (b.key == backend_key(refusing_backend_)) refusing_ejections_ = b.counters.ejections;
        }
        resolver_->remove(refusing_backend_);
        recovered_ = test::eventually([this] { return healthy(pool_->stats()); }, test::kLiveness * slowdown());
        if (!recovered_) violations_.add("the pool did not recover its full size after the chaos stopped");

        // Stop with claims outstanding: ours, and whatever the workers hold.
        std::vector<PoolHandle<ChaosConnection>> held;
        for (std::size_t i = 0; i < kHeldAtStop; ++i) {
            try {
                held.push_back(pool_->claim(10s * slowdown()));
            } catch (const Error& e) {
                violations_.add(std::string("claim after recovery failed: ") + e.what());
            }
        }
        monitoring_ = false;
        monitor_.join();
        const Clock::time_point stop_began = Clock::now();
        pool_->stop();
        stop_took_ = Clock::now() - stop_began;
        workers_done_ = true;
        for (std::thread& w : workers_) w.join();
        final_stats_ = pool_->stats();
        held.clear();
        pool_.reset();
    }

    void check() {
        const PoolStats& s = final_stats_;
        EXPECT_EQ(violations_.count(), 0u) << violations_.report();
        EXPECT_TRUE(recovered_);
        EXPECT_LT(stop_took_, 5s * slowdown()) << "stop() with claims outstanding";
        EXPECT_EQ(s.state, PoolState::Stopped);
        EXPECT_EQ(ledger_->opened.load(), ledger_->closed.load()) << "connections opened but not closed";
        EXPECT_EQ(ledger_->closed_again.load(), 0u) << "connections closed twice";
        EXPECT_EQ(ledger_->leaked.load(), 0u) << "connections destroyed without close()";
        EXPECT_EQ(ledger_->double_use.load(), 0u) << "connections held by two claimers, or used after close";
        EXPECT_GT(claims_.claims.load(), 0u);
        EXPECT_GT(chaos_->counts().injected(), 0u);
        // Ejected more than once: readmitted in between, and ejected again.
        EXPECT_GE(refusing_ejections_, 2u) << "the backend whose echoes all fail was not ejected and readmitted";
        EXPECT_GT(claims_.refused.load(), 0u);
    }

    void print_summary(std::ostream& out) const {
        const ChaosCounts& c = chaos_->counts();
        const Counters& pc = final_stats_.counters;
        out << "soak summary (CUEBALL_SOAK_SEED=" << seed_ << ", " << duration_.count() << " s, " << kWorkers
            << " threads, " << kMaxConnections << " connections over " << kServers << " echo servers)\n"
            << "  claims: " << claims_.claims << " ok, " << claims_.timeouts << " timed out, " << claims_.no_backends
            << " no backends available; echoes " << claims_.echoes << " ok, " << claims_.echo_errors
            << " broken by a killed server, " << claims_.late_resets << " reset on a restarted server's port; "
            << claims_.discards << " discarded; " << claims_.refused << " echoes refused by the failing backend, "
            << "which was ejected " << refusing_ejections_ << " times (" << pc.ejections << " ejections in all)\n"
            << "  worst claim overshoot past its timeout: " << claims_.worst_overshoot_ms << " ms (bound "
            << bound_.count() << " ms); stop() took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(stop_took_).count() << " ms\n"
            << "  faults injected: " << c.injected() << " (" << c.kills << " server kills, " << c.removes
            << " backend removals, " << c.slow_connects << " slow connects, " << c.failing_connects
            << " failing connects, " << c.failing_checks << " failing health checks, " << c.failing_resets
            << " failing resets); " << c.adds << " backends added\n"
            << "  recoveries: " << c.restarts << " server restarts (" << c.restart_failures << " retried), "
            << c.faults_healed << " faults healed, " << pool_recoveries_ << " backends back online in the pool\n"
            << "  pool: " << pc.connects << " connects, " << pc.connect_failures << " connect failures, "
            << pc.health_check_failures << " failed health checks, " << pc.resets_failed << " failed resets, "
            << pc.discards << " discards\n"
            << "  connections: " << ledger_->opened << " opened, " << ledger_->closed << " closed, "
            << ledger_->closed_again << " closed twice, " << ledger_->leaked << " leaked\n";
    }

private:
    bool known(const BackendKey& key) const {
        for (const BackendStats& b : pool_->stats().backends) {
            if (b.key == key) return true;
        }
        return false;
    }

    static bool healthy(const PoolStats& s) {
        if (s.total_connections != kMaxConnections || s.backends.size() != kServers) return false;
        for (const BackendStats& b : s.backends) {
            if (b.state != BackendState::Online) return false;
        }
        return true;
    }

    void work(int index) {
        std::mt19937_64 rng(seed_ * 1'000'003 + static_cast<std::uint64_t>(index));
        auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        for (std::uint64_t n = 0; !workers_done_; ++n) {
            if (lull_ && index >= kLullWorkers) {
                std::this_thread::sleep_for(20ms);
                continue;
            }
            const std::chrono::milliseconds timeout(uniform(20, 400));
            const Clock::time_point began = Clock::now();
            PoolHandle<ChaosConnection> handle;
            try {
                handle = pool_->claim(timeout);
            } catch (const ClaimTimeout&) {
                ++claims_.timeouts;
            } catch (const NoBackendsAvailable&) {
                ++claims_.no_backends;
            } catch (const PoolStopped&) {
                return;
            } catch (const std::exception& e) {
                violations_.add(std::string("claim threw ") + e.what());
            }
            check_deadline(timeout, Clock::now() - began);
            if (!handle) {
                // Failed fast: do not spin on a pool with every backend dead.
                std::this_thread::sleep_for(5ms);
                continue;
            }
            ++claims_.claims;
            use(*handle, handle, index, n, uniform);
        }
    }

    template <class Uniform>
    void use(ChaosConnection& conn, PoolHandle<ChaosConnection>& handle, int index, std::uint64_t n,
             Uniform& uniform) {
        conn.begin_use();
        std::string payload = std::to_string(seed_) + "/" + std::to_string(index) + "/" + std::to_string(n) + "/";
        payload.append(static_cast<std::size_t>(uniform(0, 200)), static_cast<char>('a' + index % 26));
        bool broken = false;
        try {
            const std::string reply = testing::echo_round_trip(conn, payload, 5s * slowdown());
            if (reply == payload) {
                ++claims_.echoes;
            } else {
                violations_.add("echo on " + backend_key(handle.backend()) + " returned someone else's bytes: '" +
                                reply.substr(0, 60) + "' for '" + payload.substr(0, 60) + "'");
            }
        } catch (const std::exception& e) {
            broken = true;
            if (handle.backend() == refusing_backend_) {
                ++claims_.refused;
                conn.end_use();
                handle.discard();
                return;
            }
            const std::uint64_t generation = faults_->generation(conn.backend().port);
            if (generation != conn.generation()) {
                ++claims_.echo_errors;
            } else if (generation > 0 && std::string_view(e.what()).find("reset by peer") != std::string_view::npos) {
                // The server on this port was killed and restarted before this
                // connection was made: the kernel's remnants of the old one's
                // connections (TIME_WAIT on the reused port) can reset a new
                // connection. Counted apart; any other failure, and any reset
                // on a port never killed, stays a violation.
                ++claims_.late_resets;
            } else {
                violations_.add("echo failed on " + backend_key(handle.backend()) +
                                ", whose server was not killed: " + e.what());
            }
        }
        if (!broken) std::this_thread::sleep_for(std::chrono::milliseconds(uniform(0, 15)));
        conn.end_use();
        if (broken || uniform(0, 99) < 3) {
            ++claims_.discards;
            handle.discard();
        } else {
            handle.release();
        }
    }

    void check_deadline(std::chrono::milliseconds timeout, Clock::duration waited) {
        const auto over = std::chrono::duration_cast<std::chrono::milliseconds>(waited - timeout);
        std::int64_t worst = claims_.worst_overshoot_ms.load();
        while (over.count() > worst && !claims_.worst_overshoot_ms.compare_exchange_weak(worst, over.count())) {
        }
        if (over > bound_) {
            violations_.add("a claim with a " + std::to_string(timeout.count()) + " ms timeout returned after " +
                            std::to_string(timeout.count() + over.count()) + " ms");
        }
    }

    // Checks each snapshot of the stats: counts agree with each other, and
    // what is claimed and open stays within max_connections plus what
    // removed backends are still draining.
    void monitor() {
        std::map<BackendKey, BackendState> last;
        while (monitoring_) {
            const PoolStats s = pool_->stats();
            std::size_t idle = 0, claimed = 0, connecting = 0, draining_claimed = 0, draining_open = 0;
            for (const BackendStats& b : s.backends) {
                idle += b.idle;
                claimed += b.claimed;
                connecting += b.connecting;
                if (b.state == BackendState::Draining) {
                    draining_claimed += b.claimed;
                    draining_open += b.idle + b.claimed;
                }
                auto it = last.find(b.key);
                if (b.state == BackendState::Online && it != last.end() &&
                    (it->second == BackendState::Failing || it->second == BackendState::Dead)) {
                    ++pool_recoveries_;
                }
                last[b.key] = b.state;
            }
            auto fail = [&](const std::string& what) {
                violations_.add(what + " (claimed " + std::to_string(s.claimed_connections) + ", idle " +
                                std::to_string(s.idle_connections) + ", total " +
                                std::to_string(s.total_connections) + ", draining claimed " +
                                std::to_string(draining_claimed) + ")");
            };
            if (s.idle_connections + s.claimed_connections != s.total_connections) fail("idle + claimed != total");
            if (idle != s.idle_connections || claimed != s.claimed_connections ||
                connecting != s.pending_connections) {
                fail("per-backend counts do not add up to the pool's");
            }
            if (s.claimed_connections > kMaxConnections + draining_claimed) fail("more claimed than allowed");
            if (s.total_connections > kMaxConnections + draining_open) fail("more open than allowed");
            std::this_thread::sleep_for(10ms);
        }
    }

    const std::uint64_t seed_;
    const std::chrono::seconds duration_;
    const std::chrono::milliseconds bound_;  // allowed claim overshoot past its timeout
    std::shared_ptr<FaultSwitches> faults_ = std::make_shared<FaultSwitches>();
    std::shared_ptr<Ledger> ledger_ = std::make_shared<Ledger>();
    std::vector<std::unique_ptr<testing::EchoServer>> servers_;  // outlive the pool
    RefusingEchoServer refusing_;                                 // outlives the pool
    Backend refusing_backend_;
    std::shared_ptr<StaticResolver> resolver_;
    std::unique_ptr<Pool> pool_;
    std::unique_ptr<ChaosMonkey> chaos_;
    Violations violations_;
    ClaimCounts claims_;
    std::uint64_t refusing_ejections_ = 0;  // read from stats() once the chaos is over
    std::uint64_t pool_recoveries_ = 0;  // written by the monitor thread until it is joined
    std::atomic<bool> monitoring_{true};
    std::atomic<bool> workers_done_{false};
    std::atomic<bool> lull_{false};
    std::thread monitor_;                // started and joined by run()
    std::vector<std::thread> workers_;   // started by run(), joined after stop()
    bool recovered_ = false;
    Clock::duration stop_took_{};
    PoolStats final_stats_;
};

TEST(Soak, PoolKeepsItsPromisesUnderChaos) {
    const std::uint64_t seed = soak_seed();
    const std::chrono::seconds duration = soak_duration();
    std::cout << "soak: CUEBALL_SOAK_SEED=" << seed << " CUEBALL_SOAK_SECONDS=" << duration.count() << std::endl;
    SCOPED_TRACE("replay with CUEBALL_SOAK_SEED=" + std::to_string(seed));
    Soak soak(seed, duration);
    soak.run();
    soak.print_summary(std::cout);
    soak.check();
}

}  // namespace
}  // namespace cueball::soak
