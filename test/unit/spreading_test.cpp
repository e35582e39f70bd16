// Spreading through a running pool: SRV priority tiers and weights, updates
// of a known backend, outlier ejection from claim outcomes, and runtime
// resize() and refresh().
#include "pool_fixture.hpp"

#include <thread>
#include <vector>

namespace cueball::test {
namespace {

Backend backend(std::uint16_t port, std::uint16_t priority, std::uint16_t weight) {
    Backend b{"127.0.0.1", port, {}};
    b.priority = priority;
    b.weight = weight;
    return b;
}

std::size_t open_on(const PoolStats& s, const BackendKey& key) {
    const BackendStats* b = backend_stats(s, key);
    return b == nullptr ? 0 : b->idle + b->claimed;
}

// Claims every connection, discards those on `key`, releases the rest.
void discard_all_on(Pool& pool, std::size_t n, const BackendKey& key) {
    std::vector<PoolHandle<FakeConnection>> held;
    for (std::size_t i = 0; i < n; ++i) held.push_back(pool.claim(kLiveness));
    for (auto& h : held) {
        if (h->key() == key) h.discard();
    }
}

// ---------------------------------------------------------------- priority and weight

TEST_F(PoolTest, OnlyTheMostPreferredPriorityGetsConnectionsAndTheNextTakesOverWhenItDies) {
    const std::vector<Backend> bs{backend(10001, 0, 1), backend(10002, 0, 1), backend(10003, 1, 1)};
    const BackendKey a = backend_key(bs[0]), b = backend_key(bs[1]), c = backend_key(bs[2]);
    PoolOptions o = fast_options(6);
    o.dead_after_failures = 1;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(bs));
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return open_on(s, a) == 3 && open_on(s, b) == 3;
    }));
    EXPECT_EQ(world->counts(c).attempts, 0u) << "the less preferred priority got a connect";

    // The whole preferred priority dies: its share moves to priority 1.
    world->set(a, FakeBehaviour{.fail_connect = true});
    world->set(b, FakeBehaviour{.fail_connect = true});
    discard_all_on(*pool, 6, a);
    discard_all_on(*pool, 6, b);
    ASSERT_TRUE(eventually([&] { return open_on(pool->stats(), c) == 6; })) << "priority 1 did not take over";

    // One recovers: the share moves back.
    world->set(a, FakeBehaviour{});
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return open_on(s, a) == 6 && open_on(s, c) == 0;
    })) << "the share did not move back to priority 0";
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, WeightsSplitConnectionsWithinAPriority) {
    const std::vector<Backend> bs{backend(10001, 0, 3), backend(10002, 0, 1), backend(10003, 0, 0)};
    auto pool = make_pool(fast_options(8), std::make_shared<StaticResolver>(bs));
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return open_on(s, backend_key(bs[0])) == 6 && open_on(s, backend_key(bs[1])) == 2;
    }));
    EXPECT_EQ(world->counts(backend_key(bs[2])).attempts, 0u) << "weight 0 got a connect beside weighted peers";
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, AnAddWithANewWeightUpdatesTheBackendAndAnIdenticalOneIsIgnored) {
    std::vector<Backend> bs{backend(10001, 0, 1), backend(10002, 0, 1)};
    auto resolver = std::make_shared<StaticResolver>(bs);
    auto pool = make_pool(fast_options(8), resolver);
    ASSERT_TRUE(eventually([&] { return open_on(pool->stats(), backend_key(bs[0])) == 4; }));

    resolver->add(bs[1]);  // identical: ignored
    resolver->add(backend(10001, 0, 3));
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        const BackendStats* first = backend_stats(s, backend_key(bs[0]));
        return first != nullptr && first->backend.weight == 3 && open_on(s, backend_key(bs[0])) == 6 &&
               open_on(s, backend_key(bs[1])) == 2;
    }));
    pool.reset();
    expect_clean_world();
}

// ---------------------------------------------------------------- outlier ejection

TEST_F(PoolTest, ABackendWhoseConnectionsKeepBeingDiscardedIsEjectedAndReadmitted) {
    const auto bs = loopback_backends(2);
    const BackendKey good = backend_key(bs[0]), bad = backend_key(bs[1]);
    PoolOptions o = fast_options(4);
    o.outlier_detection.consecutive_failures = 3;
    o.outlier_detection.base_ejection_time = 300ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(bs));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));

    // Every connection of `bad` is discarded, those of `good` released: only
    // the run on `bad` counts, and after three in a row it is ejected.
    for (int round = 0; round < 5; ++round) {
        if (backend_stats(pool->stats(), bad)->state == BackendState::Ejected) break;
        discard_all_on(*pool, 4, bad);
        ASSERT_TRUE(eventually([&] {
            const PoolStats now = pool->stats();
            return now.idle_connections == 4 || backend_stats(now, bad)->state == BackendState::Ejected;
        }));
    }
    PoolStats s = pool->stats();
    const BackendStats* b = backend_stats(s, bad);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->state, BackendState::Ejected);
    EXPECT_EQ(b->counters.ejections, 1u);
    EXPECT_EQ(s.counters.ejections, 1u);
    EXPECT_TRUE(b->ejected_for.has_value());
    // Its share goes to the other backend, and it hands out nothing.
    ASSERT_TRUE(eventually([&] { return open_on(pool->stats(), good) == 4 && open_on(pool->stats(), bad) == 0; }));
    for (int i = 0; i < 20; ++i) EXPECT_EQ(pool->claim(kLiveness)->key(), good);

    // Readmitted when its time is up: its share comes back.
    ASSERT_TRUE(eventually([&] {
        const PoolStats now = pool->stats();
        return backend_stats(now, bad)->state == BackendState::Online && open_on(now, bad) == 2;
    }));
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ConnectionsWhoseResetFailsCountAsFailuresOfTheirBackend) {
    const auto bs = loopback_backends(2);
    const BackendKey good = backend_key(bs[0]), bad = backend_key(bs[1]);
    world->set(bad, FakeBehaviour{.fail_reset = true});
    PoolOptions o = fast_options(4);
    o.outlier_detection.consecutive_failures = 3;
    o.outlier_detection.base_ejection_time = 60'000ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(bs));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    // Released, not discarded: each reset on `bad` fails.
    for (int round = 0; round < 10; ++round) {
        if (backend_stats(pool->stats(), bad)->state == BackendState::Ejected) break;
        std::vector<PoolHandle<FakeConnection>> held;
        for (int i = 0; i < 4; ++i) held.push_back(pool->claim(kLiveness));
        held.clear();
        ASSERT_TRUE(eventually([&] {
            const PoolStats now = pool->stats();
            return now.idle_connections == 4 || backend_stats(now, bad)->state == BackendState::Ejected;
        }));
    }
    EXPECT_EQ(backend_stats(pool->stats(), bad)->state, BackendState::Ejected) << "failed resets were counted as successes";
    EXPECT_EQ(backend_stats(pool->stats(), good)->state, BackendState::Online);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, NoMoreThanTheMaximumFractionOfBackendsIsEjected) {
    const auto bs = loopback_backends(2);
    PoolOptions o = fast_options(2);
    o.outlier_detection.consecutive_failures = 1;
    o.outlier_detection.base_ejection_time = 60'000ms;
    o.outlier_detection.max_ejected_fraction = 0.5;  // of 2: one
    auto pool = make_pool(o, std::make_shared<StaticResolver>(bs));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    for (int i = 0; i < 10; ++i) pool->claim(kLiveness).discard();
    const PoolStats s = pool->stats();
    std::size_t ejected = 0;
    for (const BackendStats& b : s.backends) ejected += b.state == BackendState::Ejected ? 1 : 0;
    EXPECT_EQ(ejected, 1u);
    EXPECT_EQ(s.counters.ejections, 1u);
    pool.reset();
    expect_clean_world();
}

// ---------------------------------------------------------------- resize and refresh

TEST_F(PoolTest, ResizeGrowsAndShrinksWithoutTouchingClaimedConnections) {
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    pool->resize(8);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 8; }));
    EXPECT_EQ(pool->stats().max_connections, 8u);

    std::vector<PoolHandle<FakeConnection>> held;
    for (int i = 0; i < 6; ++i) held.push_back(pool->claim(kLiveness));
    pool->resize(2);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 0; }));
    EXPECT_EQ(pool->stats().claimed_connections, 6u) << "claimed connections were touched";
    for (auto& h : held) EXPECT_FALSE(h->closed());
    held.clear();
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return s.total_connections == 2 && world->totals().open() == 2;
    }));
    EXPECT_THROW(pool->resize(0), InvalidArgument);
    EXPECT_THROW(pool->resize(1'000'001), InvalidArgument);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, WaitersKeepTheirPlacesAcrossAResize) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    std::mutex order_mutex;
    std::vector<int> order;
    std::vector<std::thread> claimers;
    const auto recorded = [&] {
        std::lock_guard lock(order_mutex);
        return order.size();
    };
    for (int i = 0; i < 3; ++i) {
        claimers.emplace_back([&, i] {
            auto h = pool->claim(kLiveness);
            {
                std::lock_guard lock(order_mutex);
                order.push_back(i);
            }
            // The first keeps its connection until the next hand-off has been
            // recorded, so that the order seen is the order served.
            if (i == 0) {
                EXPECT_TRUE(eventually([&] { return recorded() >= 2; }));
            }
        });
        ASSERT_TRUE(eventually([&] { return pool->stats().waiters == static_cast<std::size_t>(i + 1); }));
    }
    pool->resize(2);  // the new connection goes to the oldest waiter
    ASSERT_TRUE(eventually([&] { return recorded() == 1; }));
    held.release();
    for (auto& t : claimers) t.join();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, RefreshReplacesEveryConnectionOnceClaimedOnesAfterRelease) {
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    auto held = pool->claim(kLiveness);
    const std::uint64_t before = world->totals().connects;
    pool->refresh();
    // The three idle ones are replaced; the claimed one is left alone.
    ASSERT_TRUE(eventually([&] {
        return world->totals().connects == before + 3 && pool->stats().idle_connections == 3;
    }));
    EXPECT_FALSE(held->closed());
    EXPECT_EQ(world->totals().closes, 3u);
    held.release();
    ASSERT_TRUE(eventually([&] { return world->totals().connects == before + 4 && world->totals().closes == 4; }));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    // Once each: nothing more is replaced.
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(world->totals().connects, before + 4);
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
