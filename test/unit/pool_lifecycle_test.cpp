// stop(), the destructor, and handles that outlive them.
#include "pool_fixture.hpp"

#include <atomic>
#include <thread>

namespace cueball::test {
namespace {

TEST_F(PoolTest, StopWakesEveryWaiterWithPoolStopped) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    std::atomic<int> stopped{0};
    std::vector<std::thread> waiters;
    for (int i = 0; i < 4; ++i) {
        waiters.emplace_back([&] {
            try {
                pool->claim(kLiveness);
            } catch (const PoolStopped&) {
                ++stopped;
            }
        });
    }
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 4; }));
    pool->stop();
    for (auto& t : waiters) t.join();
    EXPECT_EQ(stopped, 4);
    EXPECT_THROW(pool->claim(kLiveness), PoolStopped);
    EXPECT_THROW(pool->try_claim(), PoolStopped);
    // The idle connection is closed; the claimed one when it comes back.
    EXPECT_EQ(world->totals().open(), 1u);
    EXPECT_EQ(held->id(), held->id());
    held.release();
    EXPECT_EQ(world->totals().open(), 0u);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, APoolIsNeverRunningWithoutTheBackendsItsResolverReportedWhileStarting) {
    // Default debounce and start-up window, many workers: the shape that
    // made pools declare Running with no backends.
    for (int round = 0; round < 20; ++round) {
        PoolOptions o;
        o.max_connections = 4;
        o.connector_threads = 64;
        auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(2)));
        ASSERT_TRUE(eventually([&] { return pool->stats().state != PoolState::Starting; }));
        EXPECT_EQ(pool->stats().backends.size(), 2u) << "round " << round;
        ClaimOptions fail_fast;
        fail_fast.timeout = kLiveness;
        fail_fast.fail_fast = true;
        EXPECT_NO_THROW(pool->claim(fail_fast)) << "round " << round;
    }
    expect_clean_world();
}

TEST_F(PoolTest, StopIsIdempotentAndConcurrentCallsAllWait) {
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    std::vector<std::thread> stoppers;
    std::atomic<int> returned{0};
    for (int i = 0; i < 4; ++i) {
        stoppers.emplace_back([&] {
            pool->stop();
            // Whoever returns first or last, shutdown is complete by now.
            if (world->totals().open() == 0) ++returned;
        });
    }
    for (auto& t : stoppers) t.join();
    EXPECT_EQ(returned, 4);
    pool->stop();
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, HandleOutlivesThePoolObject) {
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto h = pool->claim(kLiveness);
    auto moved = pool->claim(kLiveness);
    pool.reset();  // destroys the pool: threads joined, idle closed
    ASSERT_TRUE(h);
    h->begin_use();
    EXPECT_FALSE(h->closed());
    h->end_use();
    EXPECT_EQ(world->totals().open(), 2u);
    h.release();
    EXPECT_EQ(world->totals().open(), 1u);
    PoolHandle<FakeConnection> last = std::move(moved);
    last.discard();
    expect_clean_world();
}

TEST_F(PoolTest, StopWaitsForABlockedConnectAndClosesIt) {
    auto backends = loopback_backends(1);
    world->set(backend_key(backends[0]), FakeBehaviour{.connect_delay = 300ms});
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return world->connects_in_progress(backend_key(backends[0])) > 0; }));
    pool.reset();
    EXPECT_EQ(world->connects_in_progress(backend_key(backends[0])), 0);
    expect_clean_world();
}

TEST_F(PoolTest, ResolverIsStoppedWithThePool) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(1));
    auto pool = make_pool(fast_options(1), resolver);
    ASSERT_TRUE(eventually([&] { return pool->stats().backends.size() == 1; }));
    pool->stop();
    resolver->add(loopback_backends(1, 20000)[0]);  // after stop: no event reaches the pool
    EXPECT_EQ(pool->stats().backends.size(), 1u);
}

TEST_F(PoolTest, EveryConnectIsMatchedByOneClose) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(3));
    PoolOptions o = fast_options(9);
    o.health_check_interval = 20ms;
    o.decoherence_interval = 15ms;
    auto pool = make_pool(o, resolver);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 9; }));
    resolver->remove(loopback_backends(1)[0]);
    for (int i = 0; i < 100; ++i) {
        auto h = pool->claim(kLiveness);
        if (i % 10 == 0) h.discard();
    }
    pool.reset();
    EXPECT_GT(world->totals().connects, 9u);
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
