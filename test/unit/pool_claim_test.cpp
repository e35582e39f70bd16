// claim(), try_claim() and PoolHandle: FIFO service of waiters, deadlines,
// the messages of ClaimTimeout, and the handle's RAII semantics.
#include "pool_fixture.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace cueball::test {
namespace {

TEST_F(PoolTest, ClaimsAndReleases) {
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    {
        auto h = pool->claim(kLiveness);
        ASSERT_TRUE(h);
        h->begin_use();
        EXPECT_EQ(pool->stats().claimed_connections, 1u);
        EXPECT_EQ(backend_key(h.backend()), h->key());
        h->end_use();
    }
    PoolStats s = pool->stats();
    EXPECT_EQ(s.claimed_connections, 0u);
    EXPECT_EQ(s.idle_connections, 4u);
    EXPECT_EQ(s.total_connections, 4u);
}

TEST_F(PoolTest, WaitersAreServedInArrivalOrder) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    constexpr int kWaiters = 6;
    std::mutex order_mutex;
    std::vector<int> order;
    std::vector<std::thread> threads;
    for (int i = 0; i < kWaiters; ++i) {
        threads.emplace_back([&, i] {
            auto h = pool->claim(kLiveness);
            std::lock_guard lock(order_mutex);
            order.push_back(i);
        });
        // The next thread starts only once this one is queued.
        ASSERT_TRUE(eventually([&] { return pool->stats().waiters == static_cast<std::size_t>(i + 1); }));
    }
    held.release();
    for (auto& t : threads) t.join();
    std::vector<int> expected;
    for (int i = 0; i < kWaiters; ++i) expected.push_back(i);
    EXPECT_EQ(order, expected);
}

TEST_F(PoolTest, ReleaseHandsToTheWaiterNotToABarger) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    std::atomic<bool> served{false}, let_go{false};
    std::thread waiter([&] {
        auto h = pool->claim(kLiveness);
        served = true;
        while (!let_go) std::this_thread::sleep_for(1ms);
    });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    held.release();
    // The connection already belongs to the waiter, even if it has not run yet.
    EXPECT_FALSE(pool->try_claim().has_value());
    EXPECT_EQ(pool->stats().claimed_connections, 1u);
    let_go = true;
    waiter.join();
    EXPECT_TRUE(served);
}

TEST_F(PoolTest, TryClaimNeverBlocksAndDoesNotJumpTheQueue) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    auto first = pool->try_claim();
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(pool->try_claim().has_value());
}

TEST_F(PoolTest, TimeoutIsADeadlineDespiteUnrelatedActivity) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(1));
    auto pool = make_pool(fast_options(1), resolver);
    auto held = pool->claim(kLiveness);
    std::atomic<bool> done{false};
    // Unrelated activity: backends coming and going, other claimers timing
    // out, stats readers. None of it may restart the waiter's timeout.
    std::thread churn([&] {
        for (std::uint16_t port = 20000; !done; ++port) {
            resolver->add(Backend{"127.0.0.1", port, {}});
            resolver->remove(Backend{"127.0.0.1", port, {}});
            EXPECT_THROW(pool->claim(1ms), ClaimTimeout);
            pool->stats();
            std::this_thread::sleep_for(5ms);
        }
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(pool->claim(300ms), ClaimTimeout);
    const auto waited = std::chrono::steady_clock::now() - start;
    done = true;
    churn.join();
    EXPECT_GE(waited, 300ms);
    EXPECT_LT(waited, kLiveness);
}

TEST_F(PoolTest, TimeoutMessageSaysNoBackends) {
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>());
    try {
        pool->claim(50ms);
        FAIL() << "claim succeeded";
    } catch (const ClaimTimeout& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("'test'"), std::string::npos) << what;
        EXPECT_NE(what.find("50 ms"), std::string::npos) << what;
        EXPECT_NE(what.find("no backends"), std::string::npos) << what;
    }
}

TEST_F(PoolTest, TimeoutMessageSaysNoneConnectedWithTheLastError) {
    auto backends = loopback_backends(2);
    for (const auto& b : backends) world->set(backend_key(b), FakeBehaviour{.fail_connect = true});
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().backends.size() == 2 &&
                                        pool->stats().backends[1].connect_failures > 0; }));
    try {
        pool->claim(50ms);
        FAIL() << "claim succeeded";
    } catch (const ClaimTimeout& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("2 backends, none connected"), std::string::npos) << what;
        EXPECT_NE(what.find("fake connect refused by 127.0.0.1:1000"), std::string::npos) << what;
    }
}

TEST_F(PoolTest, TimeoutMessageSaysAllClaimed) {
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(loopback_backends(2)));
    auto a = pool->claim(kLiveness);
    auto b = pool->claim(kLiveness);
    try {
        pool->claim(20ms);
        FAIL() << "claim succeeded";
    } catch (const ClaimTimeout& e) {
        EXPECT_NE(std::string(e.what()).find("all 2 connections claimed"), std::string::npos) << e.what();
    }
}

TEST_F(PoolTest, ZeroTimeoutDoesNotWaitAndNegativeIsRejected) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>());
    EXPECT_THROW(pool->claim(0ms), ClaimTimeout);
    EXPECT_THROW(pool->claim(-1ms), InvalidArgument);
}

TEST_F(PoolTest, ClaimWithoutArgumentUsesClaimTimeout) {
    PoolOptions o = fast_options(1);
    o.claim_timeout = 30ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>());
    EXPECT_THROW(pool->claim(), ClaimTimeout);
}

TEST_F(PoolTest, HandleIsMoveOnlyRaii) {
    static_assert(!std::is_copy_constructible_v<PoolHandle<FakeConnection>>);
    static_assert(!std::is_copy_assignable_v<PoolHandle<FakeConnection>>);
    auto pool = make_pool(fast_options(2), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto a = pool->claim(kLiveness);
    const std::uint64_t id = a->id();
    PoolHandle<FakeConnection> moved(std::move(a));
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is the point
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->id(), id);
    EXPECT_EQ(pool->stats().claimed_connections, 1u);

    // Move-assignment gives back the claim it overwrites.
    auto b = pool->claim(kLiveness);
    moved = std::move(b);
    EXPECT_EQ(pool->stats().claimed_connections, 1u);

    moved.release();
    moved.release();  // twice: a no-op
    EXPECT_FALSE(moved);
    EXPECT_EQ(pool->stats().claimed_connections, 0u);
}

TEST_F(PoolTest, EmptyHandleThrowsInsteadOfCrashing) {
    PoolHandle<FakeConnection> empty;
    EXPECT_FALSE(empty);
    EXPECT_THROW(empty->id(), InvalidHandle);
    EXPECT_THROW(*empty, InvalidHandle);
    EXPECT_THROW(empty.backend(), InvalidHandle);
    empty.release();
    empty.discard();

    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto h = pool->claim(kLiveness);
    h.release();
    EXPECT_THROW(h->id(), InvalidHandle);
}

TEST_F(PoolTest, StatsAgreeWithThemselves) {
    auto pool = make_pool(fast_options(6), std::make_shared<StaticResolver>(loopback_backends(3)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 6; }));
    auto a = pool->claim(kLiveness);
    auto b = pool->claim(kLiveness);
    PoolStats s = pool->stats();
    EXPECT_EQ(s.total_connections, s.idle_connections + s.claimed_connections);
    std::size_t idle = 0, claimed = 0;
    for (const auto& backend : s.backends) {
        idle += backend.idle;
        claimed += backend.claimed;
    }
    EXPECT_EQ(idle, s.idle_connections);
    EXPECT_EQ(claimed, 2u);
    EXPECT_EQ(s.claimed_connections, 2u);
    EXPECT_EQ(world->totals().open(), s.total_connections);
}

}  // namespace
}  // namespace cueball::test
