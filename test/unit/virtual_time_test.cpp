// The real pool, threads and all, on virtual time (detail::ManualClock):
// rules about time hold without sleeping through them.
#include "pool_fixture.hpp"

#include <cueball/detail/clock.hpp>

#include <future>
#include <map>

namespace cueball::test {
namespace {

class VirtualTimeTest : public PoolTest {
protected:
    std::shared_ptr<detail::ManualClock> clock = std::make_shared<detail::ManualClock>();

    std::unique_ptr<Pool> make_virtual_pool(PoolOptions o, std::shared_ptr<Resolver> resolver) {
        return std::make_unique<Pool>(std::move(o), std::move(resolver), world->factory(), clock);
    }
};

TEST_F(VirtualTimeTest, EventsWaitForTheDebounceInVirtualTime) {
    PoolOptions o = fast_options(4);
    o.rebalance_delay = 1000ms;
    auto pool = make_virtual_pool(o, std::make_shared<StaticResolver>(loopback_backends(2)));
    // Real time passes, virtual time does not: nothing is applied.
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(pool->stats().state, PoolState::Starting);
    EXPECT_TRUE(pool->stats().backends.empty());
    clock->advance(999ms);
    std::this_thread::sleep_for(50ms);
    EXPECT_TRUE(pool->stats().backends.empty()) << "applied before the debounce ended";
    clock->advance(1ms);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    EXPECT_EQ(pool->stats().state, PoolState::Running);
    pool.reset();
    expect_clean_world();
}

TEST_F(VirtualTimeTest, StartingEndsWithTheBackendsAlreadyReportedApplied) {
    PoolOptions o = fast_options(4);
    o.rebalance_delay = 1000ms;
    auto resolver = std::make_shared<StaticResolver>();
    auto pool = make_virtual_pool(o, resolver);
    // Reported after construction, so their own debounce ends after Starting does.
    clock->advance(10ms);
    for (const Backend& b : loopback_backends(2)) resolver->add(b);
    clock->advance(990ms);
    ASSERT_TRUE(eventually([&] { return pool->stats().state != PoolState::Starting; }));
    const PoolStats s = pool->stats();
    EXPECT_EQ(s.state, PoolState::Running);
    EXPECT_EQ(s.backends.size(), 2u) << "Running without the backends the resolver reported";
    ClaimOptions fail_fast;
    fail_fast.timeout = kLiveness;
    fail_fast.fail_fast = true;
    EXPECT_NO_THROW(pool->claim(fail_fast));
    pool.reset();
    expect_clean_world();
}

TEST_F(VirtualTimeTest, EndlessChurnIsAppliedAtTheMaximumDelay) {
    PoolOptions o = fast_options(4);
    o.rebalance_delay = 100ms;
    o.rebalance_max_delay = 500ms;
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(1));
    auto pool = make_virtual_pool(o, resolver);
    const Backend flapping{"127.0.0.1", 10099, {}};
    // An event every 50 ms of virtual time, for ever: the debounce alone
    // would never end.
    bool applied = false;
    for (int i = 0; i < 40 && !applied; ++i) {
        if (i % 2 == 0) {
            resolver->add(flapping);
        } else {
            resolver->remove(flapping);
        }
        clock->advance(50ms);
        applied = eventually([&] { return !pool->stats().backends.empty(); }, 50ms);
    }
    EXPECT_TRUE(applied) << "pending events were never applied";
    pool.reset();
    expect_clean_world();
}

TEST_F(VirtualTimeTest, AClaimTimesOutWhenVirtualTimeReachesItsDeadline) {
    auto pool = make_virtual_pool(fast_options(1), std::make_shared<StaticResolver>());
    auto claim = std::async(std::launch::async, [&] { return pool->claim(5000ms); });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    EXPECT_EQ(claim.wait_for(100ms), std::future_status::timeout) << "timed out on real time";
    clock->advance(5000ms);
    ASSERT_EQ(claim.wait_for(kLiveness), std::future_status::ready);
    EXPECT_THROW(claim.get(), ClaimTimeout);
}

TEST_F(VirtualTimeTest, AFailingBackendIsRetriedOnTheBackoffSchedule) {
    const auto backends = loopback_backends(1);
    const BackendKey key = backend_key(backends[0]);
    world->set(key, FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(1);
    o.rebalance_delay = 0ms;
    o.backoff_initial = 1000ms;
    o.backoff_max = 8000ms;
    o.backoff_jitter = 0;
    o.dead_after_failures = 0;
    auto pool = make_virtual_pool(o, std::make_shared<StaticResolver>(backends));
    // The backoff counts from when the pool records a failure, which comes
    // after the attempt: virtual time may only move on once it is recorded.
    auto failures_recorded = [&](std::uint64_t n) {
        return eventually([&] {
            const PoolStats s = pool->stats();
            return s.backends.size() == 1 && s.backends[0].consecutive_failures == n;
        });
    };
    ASSERT_TRUE(failures_recorded(1));
    // 1 s, then 2 s, then 4 s: each retry comes exactly when its delay is up.
    for (const auto& step : {std::pair{1000ms, 2u}, std::pair{2000ms, 3u}, std::pair{4000ms, 4u}}) {
        const auto delay = step.first;
        const unsigned attempts = step.second;
        EXPECT_EQ(world->counts(key).attempts, attempts - 1);
        clock->advance(delay - 1ms);
        std::this_thread::sleep_for(30ms);
        EXPECT_EQ(world->counts(key).attempts, attempts - 1) << "retried early";
        clock->advance(1ms);
        ASSERT_TRUE(failures_recorded(attempts));
    }
    pool.reset();
    expect_clean_world();
}

TEST_F(VirtualTimeTest, WithFewerConnectionsThanBackendsEveryBackendGetsItsTurn) {
    // 2 connections over 5 equal backends: each decoherence interval moves
    // the spread on, so that over 5 intervals each backend holds one twice.
    const auto backends = loopback_backends(5);
    PoolOptions o = fast_options(2);
    o.rebalance_delay = 0ms;
    o.decoherence_interval = 1000ms;
    auto pool = make_virtual_pool(o, std::make_shared<StaticResolver>(backends));
    auto settled = [&](std::uint64_t connects_before) {
        return eventually([&] {
            if (world->totals().connects <= connects_before || world->totals().open() != 2) return false;
            const PoolStats s = pool->stats();
            std::size_t holders = 0;
            for (const BackendStats& b : s.backends) holders += b.idle == 1 ? 1 : 0;
            return s.idle_connections == 2 && s.pending_connections == 0 && holders == 2;
        });
    };
    ASSERT_TRUE(settled(0));
    std::map<BackendKey, int> turns;
    for (int step = 0; step < 5; ++step) {
        const std::uint64_t connects = world->totals().connects;
        clock->advance(1000ms);
        ASSERT_TRUE(settled(connects)) << "step " << step << ": the spread did not move on";
        for (const BackendStats& b : pool->stats().backends) turns[b.key] += static_cast<int>(b.idle);
    }
    for (const Backend& b : backends) EXPECT_EQ(turns[backend_key(b)], 2) << backend_key(b);
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
