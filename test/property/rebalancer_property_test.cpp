// Property test of the rebalancer: random sequences of backends added and
// removed, backends that start or stop failing (connects refused and idle
// connections failing their health checks), claims, releases and discards,
// applied to a pool of FakeConnections. After each quiet period the pool's
// counts must agree with each other and with the fake world, claims must stay
// within max_connections plus what removed backends still drain, and once the
// claims are given back the connections must be spread evenly (within one)
// over the live backends, with nothing left open on removed or failing ones.
//
// Runs random cases for about 20 s; a failure prints its seed, and
// CUEBALL_PROPERTY_SEED=<seed> runs that one case again.
#include "support/eventually.hpp"
#include "support/fake_connection.hpp"

#include <cueball/cueball.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;
using Pool = ConnectionPool<FakeConnection>;

constexpr int kKeys = 6;
constexpr auto kBudget = 20s;
constexpr int kMaxCases = 1000;

struct Held {
    PoolHandle<FakeConnection> handle;
    BackendKey key;
};

class Case {
public:
    explicit Case(std::uint64_t seed) : rng_(seed), backends_(loopback_backends(kKeys, 21001)) {
        max_ = static_cast<std::size_t>(uniform(1, 12));
        PoolOptions o;
        o.name = "property";
        o.max_connections = max_;
        o.rebalance_delay = std::chrono::milliseconds(uniform(0, 5));
        o.backoff_initial = 2ms;
        o.backoff_max = 20ms;
        o.health_check_interval = 5ms;
        o.decoherence_interval = 0ms;
        o.dead_after_failures = static_cast<std::size_t>(uniform(0, 1) * 3);
        o.connector_threads = static_cast<std::size_t>(uniform(1, 4));
        o.connects_per_backend = static_cast<std::size_t>(uniform(1, 2));
        // Failing backends are the point: their warnings are noise here.
        o.logger = std::make_shared<spdlog::logger>("property", std::make_shared<spdlog::sinks::null_sink_mt>());
        std::vector<Backend> initial;
        for (int i = 0; i < kKeys; ++i) {
            if (uniform(0, 1) == 1) {
                initial.push_back(backends_[static_cast<std::size_t>(i)]);
                in_resolver_.insert(i);
            }
        }
        note("max_connections=" + std::to_string(max_) + " rebalance_delay=" +
             std::to_string(o.rebalance_delay.count()) + "ms dead_after_failures=" +
             std::to_string(o.dead_after_failures) + " initial backends=" + std::to_string(initial.size()));
        resolver_ = std::make_shared<StaticResolver>(initial, o.logger);
        pool_ = std::make_unique<Pool>(o, resolver_, world_->factory());
    }

    void run() {
        const int phases = uniform(2, 6);
        for (int p = 0; p < phases && !::testing::Test::HasFailure(); ++p) {
            const int events = uniform(1, 10);
            for (int e = 0; e < events; ++e) step();
            quiet_with_claims_held();
            if (uniform(0, 2) == 0) converged_after_release();
        }
        if (!::testing::Test::HasFailure()) converged_after_release();
        for (Held& h : held_) h.handle->end_use();
        held_.clear();
        pool_.reset();
        const FakeCounts t = world_->totals();
        EXPECT_EQ(t.connects, t.closes) << "connections opened but not closed";
        EXPECT_EQ(world_->leaked(), 0u);
        EXPECT_EQ(world_->double_claims(), 0u);
        EXPECT_EQ(world_->condemned_claims(), 0u) << "a connection that failed a check was handed out";
    }

    std::string history() const { return log_.str(); }

private:
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    void note(const std::string& what) { log_ << "  " << what << "\n"; }
    const Backend& backend(int i) const { return backends_[static_cast<std::size_t>(i)]; }
    BackendKey key(int i) const { return backend_key(backend(i)); }

    bool pool_knows(int i) const {
        for (const BackendStats& b : pool_->stats().backends) {
            if (b.key == key(i)) return true;
        }
        return false;
    }

    void step() {
        const int i = uniform(0, kKeys - 1);
        switch (uniform(0, 6)) {
            case 0:
                // Only once the pool has forgotten it: a backend added back
                // while draining keeps its claimed connections, which would
                // (by design) count above max_connections.
                if (in_resolver_.count(i) == 0 && !pool_knows(i)) {
                    resolver_->add(backend(i));
                    in_resolver_.insert(i);
                    note("add " + key(i));
                }
                break;
            case 1:
                if (in_resolver_.count(i) != 0) {
                    resolver_->remove(backend(i));
                    in_resolver_.erase(i);
                    note("remove " + key(i));
                }
                break;
            case 2: {
                const bool fail = failing_.count(i) == 0;
                FakeBehaviour b;
                b.fail_connect = fail;
                b.invalid = fail;  // so the pool notices through its health checks
                world_->set(key(i), b);
                if (fail) {
                    failing_.insert(i);
                } else {
                    failing_.erase(i);
                }
                note((fail ? "fail " : "heal ") + key(i));
                break;
            }
            case 3:
            case 4:
                if (auto h = pool_->try_claim()) {
                    (*h)->begin_use();
                    BackendKey on = backend_key(h->backend());
                    note("claim on " + on);
                    held_.push_back(Held{std::move(*h), std::move(on)});
                    check_claim_bound(pool_->stats());
                }
                break;
            default:
                if (!held_.empty()) {
                    const auto j = static_cast<std::size_t>(uniform(0, static_cast<int>(held_.size()) - 1));
                    held_[j].handle->end_use();
                    const bool discard = uniform(0, 3) == 0;
                    note((discard ? "discard on " : "release on ") + held_[j].key);
                    if (discard) {
                        held_[j].handle.discard();
                    } else {
                        held_[j].handle.release();
                    }
                    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(j));
                }
                break;
        }
        if (uniform(0, 2) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(uniform(0, 3)));
    }

    void check_claim_bound(const PoolStats& s) {
        std::size_t draining = 0;
        for (const BackendStats& b : s.backends) {
            if (b.state == BackendState::Draining) draining += b.claimed;
        }
        EXPECT_LE(s.claimed_connections, max_ + draining) << "more claimed than max_connections + draining";
    }

    // The counts agree with each other, with our claims and with the fake
    // world; true once nothing is in flight.
    bool consistent(const PoolStats& s, std::string& why) const {
        std::size_t idle = 0, claimed = 0, connecting = 0;
        for (const BackendStats& b : s.backends) {
            idle += b.idle;
            claimed += b.claimed;
            connecting += b.connecting;
        }
        std::ostringstream out;
        if (s.idle_connections + s.claimed_connections != s.total_connections) out << "idle + claimed != total; ";
        if (idle != s.idle_connections || claimed != s.claimed_connections || connecting != s.pending_connections) {
            out << "per-backend counts do not add up; ";
        }
        if (s.claimed_connections != held_.size()) {
            out << "claimed " << s.claimed_connections << " but " << held_.size() << " handles held; ";
        }
        const std::uint64_t open = world_->totals().open();
        if (open != s.total_connections) out << "fake world has " << open << " open, stats " << s.total_connections << "; ";
        why = out.str();
        return why.empty();
    }

    void quiet_with_claims_held() {
        std::string why;
        const bool ok = eventually([&] { return consistent(pool_->stats(), why); });
        EXPECT_TRUE(ok) << "counts never agreed with claims held: " << why;
        check_claim_bound(pool_->stats());
    }

    // What the pool must look like once it has settled with no claims out.
    bool settled(const PoolStats& s, std::string& why) const {
        if (!consistent(s, why)) return false;
        std::vector<int> live;
        for (int i : in_resolver_) {
            if (failing_.count(i) == 0) live.push_back(i);
        }
        std::ostringstream out;
        // A failing backend keeps the connections it still holds, up to its
        // share, but gets no new ones while others are healthy.
        const std::size_t share = in_resolver_.empty() ? 0 : (max_ + in_resolver_.size() - 1) / in_resolver_.size();
        std::size_t live_open = 0, failing_open = 0, low = SIZE_MAX, high = 0;
        for (const BackendStats& b : s.backends) {
            int i = -1;
            for (int k = 0; k < kKeys; ++k) {
                if (key(k) == b.key) i = k;
            }
            const std::size_t open = b.idle + b.claimed;
            if (in_resolver_.count(i) == 0) {
                out << b.key << " removed but still known (" << open << " open); ";
            } else if (failing_.count(i) != 0) {
                if (open > share) {
                    out << b.key << " failing but has " << open << " open, more than its share " << share << "; ";
                }
                failing_open += open;
            } else {
                live_open += open;
                low = std::min(low, open);
                high = std::max(high, open);
            }
        }
        std::size_t listed = 0;
        for (int i : live) {
            bool found = false;
            for (const BackendStats& b : s.backends) found = found || b.key == key(i);
            listed += found ? 1 : 0;
        }
        if (listed != live.size()) out << "a live backend is missing from the stats; ";
        if (!live.empty()) {
            if (live_open + failing_open != max_) {
                for (const BackendStats& b : s.backends) {
                    out << "[" << b.key << " " << to_string(b.state) << " idle " << b.idle << " claimed " << b.claimed
                        << " connecting " << b.connecting << " target " << b.target << "] ";
                }
                out << live_open << " open over the live backends and " << failing_open
                    << " kept by failing ones, not " << max_ << "; ";
            }
            if (high > low + 1) out << "spread uneven: " << low << " .. " << high << "; ";
        }
        why = out.str();
        return why.empty();
    }

    void converged_after_release() {
        for (Held& h : held_) {
            h.handle->end_use();
            h.handle.release();
        }
        held_.clear();
        note("release all");
        std::string why;
        const bool ok = eventually([&] { return settled(pool_->stats(), why); });
        EXPECT_TRUE(ok) << "never settled: " << why;
    }

    std::mt19937_64 rng_;
    std::vector<Backend> backends_;
    std::size_t max_ = 0;
    std::set<int> in_resolver_;  // what the resolver has been told
    std::set<int> failing_;      // backends whose connects and checks fail
    std::shared_ptr<FakeWorld> world_ = std::make_shared<FakeWorld>();
    std::shared_ptr<StaticResolver> resolver_;
    std::unique_ptr<Pool> pool_;
    std::vector<Held> held_;
    std::ostringstream log_;
};

std::uint64_t case_seed(std::uint64_t base, int n) { return base * 6'364'136'223'846'793'005ULL + static_cast<std::uint64_t>(n); }

TEST(RebalancerProperty, InvariantsHoldAfterEveryQuietPeriod) {
    if (const char* replay = std::getenv("CUEBALL_PROPERTY_SEED"); replay != nullptr && *replay != '\0') {
        const std::uint64_t seed = std::stoull(replay);
        SCOPED_TRACE("CUEBALL_PROPERTY_SEED=" + std::to_string(seed));
        Case c(seed);
        c.run();
        if (HasFailure()) std::cout << "events:\n" << c.history();
        return;
    }
    const std::uint64_t base = std::random_device{}();
    const auto end = std::chrono::steady_clock::now() + kBudget;
    int cases = 0;
    for (; cases < kMaxCases && std::chrono::steady_clock::now() < end && !HasFailure(); ++cases) {
        const std::uint64_t seed = case_seed(base, cases);
        SCOPED_TRACE("replay with CUEBALL_PROPERTY_SEED=" + std::to_string(seed));
        Case c(seed);
        c.run();
        if (HasFailure()) std::cout << "events:\n" << c.history();
    }
    std::cout << cases << " random cases" << std::endl;
}

}  // namespace
}  // namespace cueball::test
