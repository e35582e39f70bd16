// The rebalancer: debounce of resolver bursts, even spread over backends,
// draining of removed backends, decoherence and health checks.
#include "pool_fixture.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace cueball::test {
namespace {

// True when the non-removed backends hold `total` connections (idle +
// claimed + connecting) spread within one of each other.
bool evenly_spread(const PoolStats& s, std::size_t total, std::size_t backends) {
    std::size_t sum = 0, lo = SIZE_MAX, hi = 0, n = 0;
    for (const auto& b : s.backends) {
        if (b.state == BackendState::Draining) continue;
        const std::size_t held = b.idle + b.claimed + b.connecting;
        sum += held;
        lo = std::min(lo, held);
        hi = std::max(hi, held);
        ++n;
    }
    return n == backends && sum == total && hi - lo <= 1 && s.pending_connections == 0;
}

TEST_F(PoolTest, BurstOfEventsIsAppliedOnceAfterQuiet) {
    auto resolver = std::make_shared<StaticResolver>();
    PoolOptions o = fast_options(6);
    o.rebalance_delay = 200ms;
    auto pool = make_pool(o, resolver);
    auto backends = loopback_backends(10);
    // 20 events: ten backends come and seven go again, within a few ms.
    for (const auto& b : backends) resolver->add(b);
    for (int i = 0; i < 7; ++i) resolver->remove(backends[static_cast<std::size_t>(i)]);
    for (int i = 0; i < 3; ++i) {
        resolver->add(backends[static_cast<std::size_t>(i)]);
        resolver->remove(backends[static_cast<std::size_t>(i)]);
    }
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 6; }));
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(world->counts(backend_key(backends[static_cast<std::size_t>(i)])).attempts, 0u)
            << "connected to a backend that was gone by the end of the burst";
    }
    for (int i = 7; i < 10; ++i) EXPECT_EQ(world->counts(backend_key(backends[static_cast<std::size_t>(i)])).connects, 2u);
}

TEST_F(PoolTest, SpreadsEvenlyAsBackendsComeAndGo) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(3));
    auto pool = make_pool(fast_options(10), resolver);
    ASSERT_TRUE(eventually([&] { return evenly_spread(pool->stats(), 10, 3); }));

    auto more = loopback_backends(2, 10004);
    for (const auto& b : more) resolver->add(b);
    ASSERT_TRUE(eventually([&] { return evenly_spread(pool->stats(), 10, 5); })) << pool->stats().backends.size();

    resolver->remove(loopback_backends(1)[0]);
    resolver->remove(more[0]);
    resolver->remove(more[1]);
    ASSERT_TRUE(eventually([&] { return evenly_spread(pool->stats(), 10, 2) && pool->stats().backends.size() == 2; }));
    // Nothing is left open to the removed backends.
    EXPECT_EQ(world->counts(backend_key(more[0])).open(), 0u);
    EXPECT_EQ(world->counts(backend_key(more[1])).open(), 0u);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, RemovedBackendClosesIdleAtOnceAndClaimedOnRelease) {
    auto backends = loopback_backends(2);
    auto resolver = std::make_shared<StaticResolver>(backends);
    auto pool = make_pool(fast_options(4), resolver);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    const BackendKey gone = backend_key(backends[0]);
    std::optional<PoolHandle<FakeConnection>> held;
    while (!held) {
        auto h = pool->claim(kLiveness);
        if (h->key() == gone) held = std::move(h);
    }
    resolver->remove(backends[0]);
    ASSERT_TRUE(eventually([&] { return world->counts(gone).open() == 1; }));
    PoolStats s = pool->stats();
    const BackendStats* draining = backend_stats(s, gone);
    ASSERT_NE(draining, nullptr);
    EXPECT_EQ(draining->state, BackendState::Draining);
    EXPECT_EQ(draining->claimed, 1u);
    ASSERT_TRUE(eventually([&] { return idle_on(pool->stats(), backend_key(backends[1])) == 4; }));
    // While it drains, the open count may exceed max_connections by the drain.
    EXPECT_EQ(pool->stats().total_connections, 5u);

    held->release();
    ASSERT_TRUE(eventually([&] { return world->counts(gone).open() == 0 && pool->stats().backends.size() == 1; }));
    EXPECT_EQ(pool->stats().total_connections, 4u);
}

TEST_F(PoolTest, BackendReaddedWhileDrainingKeepsItsConnections) {
    auto backends = loopback_backends(2);
    auto resolver = std::make_shared<StaticResolver>(backends);
    PoolOptions o = fast_options(4);
    o.rebalance_delay = 300ms;
    auto pool = make_pool(o, resolver);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    resolver->remove(backends[0]);
    resolver->add(backends[0]);
    ASSERT_TRUE(eventually([&] { return evenly_spread(pool->stats(), 4, 2); }));
    EXPECT_EQ(world->totals().connects, 4u);
}

TEST_F(PoolTest, DuplicateAndUnknownEventsAreIgnored) {
    auto backends = loopback_backends(1);
    auto resolver = std::make_shared<StaticResolver>(backends);
    auto pool = make_pool(fast_options(2), resolver);
    resolver->add(backends[0]);                          // duplicate: ignored
    resolver->remove(loopback_backends(1, 30000)[0]);    // unknown: ignored
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    EXPECT_EQ(pool->stats().backends.size(), 1u);
}

std::vector<std::uint64_t> claim_all_in_order(Pool& pool, std::size_t n) {
    std::vector<PoolHandle<FakeConnection>> handles;
    std::vector<std::uint64_t> ids;
    for (std::size_t i = 0; i < n; ++i) {
        handles.push_back(pool.claim(kLiveness));
        ids.push_back(handles.back()->id());
    }
    return ids;  // handles released in claim order: FIFO keeps the order
}

TEST_F(PoolTest, IdleQueueKeepsItsOrderWithoutDecoherence) {
    auto pool = make_pool(fast_options(8), std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 8; }));
    const auto first = claim_all_in_order(*pool, 8);
    for (int round = 0; round < 20; ++round) EXPECT_EQ(claim_all_in_order(*pool, 8), first);
}

TEST_F(PoolTest, DecoherenceShufflesTheIdleQueue) {
    PoolOptions o = fast_options(8);
    o.decoherence_interval = 20ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 8; }));
    const auto first = claim_all_in_order(*pool, 8);
    EXPECT_TRUE(eventually([&] { return claim_all_in_order(*pool, 8) != first; }));
}

TEST_F(PoolTest, HealthCheckReplacesInvalidIdleConnections) {
    auto backends = loopback_backends(2);
    PoolOptions o = fast_options(4);
    o.health_check_interval = 30ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    const BackendKey bad = backend_key(backends[0]);
    world->set(bad, FakeBehaviour{.invalid = true});
    ASSERT_TRUE(eventually([&] { return world->counts(bad).closes >= 2; }));
    world->set(bad, FakeBehaviour{});
    ASSERT_TRUE(eventually([&] { return world->counts(bad).open() == 2 && pool->stats().idle_connections == 4; }));
    // Claims never got a connection that had failed its check.
    for (int i = 0; i < 50; ++i) {
        auto h = pool->claim(kLiveness);
        h->begin_use();
        h->end_use();
    }
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, HealthCheckThatThrowsCountsAsInvalid) {
    auto backends = loopback_backends(1);
    PoolOptions o = fast_options(2);
    o.health_check_interval = 30ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    world->set(backend_key(backends[0]), FakeBehaviour{.is_valid_throws = true});
    ASSERT_TRUE(eventually([&] { return world->totals().closes >= 2; }));
    world->set(backend_key(backends[0]), FakeBehaviour{});
    for (int i = 0; i < 20; ++i) {
        auto h = pool->claim(kLiveness);
        h->begin_use();
        h->end_use();
    }
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ConnectionUnderHealthCheckIsOutOfTheQueue) {
    auto backends = loopback_backends(1);
    PoolOptions o = fast_options(1);
    o.health_check_interval = 20ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    world->set(backend_key(backends[0]), FakeBehaviour{.check_delay = 2000ms});
    ASSERT_TRUE(eventually([&] { return world->checks_in_progress() == 1; }));
    EXPECT_FALSE(pool->try_claim().has_value());
    EXPECT_EQ(world->checks_in_progress(), 1) << "the check ended too early for this test to mean anything";
    world->set(backend_key(backends[0]), FakeBehaviour{});
    // A claimer waiting meanwhile gets the connection once it passes.
    auto h = pool->claim(kLiveness);
    EXPECT_TRUE(h);
}

}  // namespace
}  // namespace cueball::test
