// Faults: slow and failing connects, backoff, recovery, connect timeouts, and
// bad connections that must never reach a claimer.
#include "pool_fixture.hpp"

#include <thread>

namespace cueball::test {
namespace {

TEST_F(PoolTest, SlowBackendDoesNotDelayTheOthers) {
    auto backends = loopback_backends(3);
    const BackendKey slow = backend_key(backends[0]);
    world->set(slow, FakeBehaviour{.connect_delay = 3000ms});
    PoolOptions o = fast_options(6);
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return world->connects_in_progress(slow) > 0; }));
    // The four connections to the other two backends are claimable while the
    // slow backend's connects are still blocked.
    std::vector<PoolHandle<FakeConnection>> handles;
    for (int i = 0; i < 4; ++i) {
        handles.push_back(pool->claim(kLiveness));
        EXPECT_NE(handles.back()->key(), slow);
    }
    EXPECT_GT(world->connects_in_progress(slow), 0) << "the slow connect finished before the others served";
    handles.clear();
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, FailingBackendBacksOffExponentially) {
    auto backends = loopback_backends(1);
    const BackendKey key = backend_key(backends[0]);
    world->set(key, FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(4);
    o.backoff_initial = 40ms;
    o.backoff_max = 320ms;
    o.backoff_multiplier = 2.0;
    o.backoff_jitter = 0.0;
    o.connects_per_backend = 1;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    // Six attempts made and counted (an attempt starts before its failure is).
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        const BackendStats* b = backend_stats(s, key);
        return b != nullptr && b->consecutive_failures >= 6;
    }));
    auto times = world->attempt_times(key);
    // After the first failure, attempts go one at a time, each at least the
    // scheduled delay after the last.
    const std::chrono::milliseconds expected[] = {40ms, 80ms, 160ms, 320ms, 320ms};
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_GE(times[i + 1] - times[i], expected[i]) << "attempt " << i + 1;
    }
    const PoolStats stats = pool->stats();
    const BackendStats* b = backend_stats(stats, key);
    ASSERT_NE(b, nullptr);
    EXPECT_GE(b->consecutive_failures, 6u);
    EXPECT_GE(b->connect_failures, 6u);
    EXPECT_NE(b->last_error.find("fake connect refused"), std::string::npos);
}

TEST_F(PoolTest, HealthyBackendsServeAFailingBackendsShareUntilItRecovers) {
    auto backends = loopback_backends(2);
    const BackendKey good = backend_key(backends[0]), bad = backend_key(backends[1]);
    world->set(bad, FakeBehaviour{.fail_connect = true});
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return idle_on(pool->stats(), good) == 4; }));
    EXPECT_EQ(world->counts(bad).connects, 0u);

    world->set(bad, FakeBehaviour{});
    ASSERT_TRUE(eventually([&] {
        PoolStats s = pool->stats();
        return idle_on(s, good) == 2 && idle_on(s, bad) == 2 && s.pending_connections == 0;
    }));
    EXPECT_EQ(backend_stats(pool->stats(), bad)->consecutive_failures, 0u);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ConnectPastTheTimeoutCountsAsAFailureAndIsClosedLater) {
    auto backends = loopback_backends(2);
    const BackendKey slow = backend_key(backends[0]);
    world->set(slow, FakeBehaviour{.connect_delay = 800ms});
    PoolOptions o = fast_options(4);
    o.connect_timeout = 100ms;
    o.backoff_initial = 5000ms;
    o.backoff_max = 5000ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        const BackendStats* b = backend_stats(s, slow);
        return b != nullptr && b->connect_failures > 0;
    }));
    EXPECT_NE(backend_stats(pool->stats(), slow)->last_error.find("did not finish within 100 ms"), std::string::npos);
    // Its share moves to the other backend; the late connections get closed.
    ASSERT_TRUE(eventually([&] { return idle_on(pool->stats(), backend_key(backends[1])) == 4; }));
    ASSERT_TRUE(eventually([&] {
        FakeCounts c = world->counts(slow);
        return c.connects > 0 && c.open() == 0;
    }));
    EXPECT_EQ(idle_on(pool->stats(), slow), 0u);
}

TEST_F(PoolTest, FactoryThatThrowsOrReturnsNullIsAConnectFailure) {
    auto backends = loopback_backends(2);
    world->set(backend_key(backends[0]), FakeBehaviour{.factory_throws = true});
    world->set(backend_key(backends[1]), FakeBehaviour{.factory_returns_null = true});
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] {
        PoolStats s = pool->stats();
        return s.backends.size() == 2 && s.backends[0].connect_failures > 0 && s.backends[1].connect_failures > 0;
    }));
    PoolStats s = pool->stats();
    EXPECT_NE(s.backends[0].last_error.find("fake factory refused"), std::string::npos) << s.backends[0].last_error;
    EXPECT_NE(s.backends[1].last_error.find("factory returned nullptr"), std::string::npos) << s.backends[1].last_error;
    EXPECT_THROW(pool->claim(10ms), ClaimTimeout);
}

TEST_F(PoolTest, FailedResetClosesAndReplaces) {
    auto backends = loopback_backends(1);
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    world->set(backend_key(backends[0]), FakeBehaviour{.fail_reset = true});
    pool->claim(kLiveness).release();
    world->set(backend_key(backends[0]), FakeBehaviour{.reset_throws = true});
    pool->claim(kLiveness).release();
    world->set(backend_key(backends[0]), FakeBehaviour{});
    ASSERT_TRUE(eventually([&] { return world->totals().closes == 2 && pool->stats().idle_connections == 2; }));
    for (int i = 0; i < 10; ++i) {
        auto h = pool->claim(kLiveness);
        h->begin_use();
        h->end_use();
    }
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, DiscardClosesAndReplaces) {
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto h = pool->claim(kLiveness);
    world->condemn(h->id());
    h.discard();
    EXPECT_FALSE(h);
    h.discard();  // twice: a no-op
    ASSERT_TRUE(eventually([&] { return world->totals().closes == 1 && pool->stats().idle_connections == 2; }));
    for (int i = 0; i < 10; ++i) {
        auto c = pool->claim(kLiveness);
        c->begin_use();
        c->end_use();
    }
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, AllBackendsFailingThenOneRecovers) {
    auto backends = loopback_backends(3);
    for (const auto& b : backends) world->set(backend_key(b), FakeBehaviour{.fail_connect = true});
    auto pool = make_pool(fast_options(3), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return world->totals().attempts >= 6; }));
    world->set(backend_key(backends[2]), FakeBehaviour{});
    ASSERT_TRUE(eventually([&] { return idle_on(pool->stats(), backend_key(backends[2])) == 3; }));
    auto h = pool->claim(kLiveness);
    EXPECT_EQ(h->key(), backend_key(backends[2]));
}

}  // namespace
}  // namespace cueball::test
