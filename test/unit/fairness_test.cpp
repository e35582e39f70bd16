// PoolOptions::fairness: strict FIFO by default; bounded lets a new claim
// take a free connection ahead of the waiters until the oldest has waited
// Fairness::max_wait, and hands over strictly after that.
#include "pool_fixture.hpp"

#include <future>

namespace cueball::test {
namespace {

PoolOptions one_connection(FairnessMode mode, std::chrono::microseconds max_wait) {
    PoolOptions o = fast_options(1);
    o.fairness.mode = mode;
    o.fairness.max_wait = max_wait;
    return o;
}

TEST_F(PoolTest, StrictFairnessHandsAReleasedConnectionToTheWaiter) {
    auto pool = make_pool(one_connection(FairnessMode::strict, 1000us), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    auto waiter = std::async(std::launch::async, [&] { return pool->claim(kLiveness); });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    const std::uint64_t id = held->id();
    held.release();
    EXPECT_THROW(pool->claim(0ms), ClaimTimeout) << "took the connection ahead of the waiter";
    // The waiter keeps its handle until now, so that it cannot give the
    // connection back before the claim above tries for it.
    EXPECT_EQ(waiter.get()->id(), id);
}

TEST_F(PoolTest, BoundedFairnessLetsTheReleasingThreadKeepItsConnectionWhileTheWaiterIsYoung) {
    auto pool = make_pool(one_connection(FairnessMode::bounded, std::chrono::hours(1)),
                          std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    auto waiter = std::async(std::launch::async, [&] { return pool->claim(kLiveness)->id(); });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    // Each release wakes the waiter to compete, so it may win a round; until
    // then the releasing thread takes the connection back ahead of it (a
    // strict pool would hand it over at the first release).
    int barged = 0;
    for (int i = 0; i < 100; ++i) {
        held.release();
        try {
            held = pool->claim(0ms);
            ++barged;
        } catch (const ClaimTimeout&) {
            break;  // the woken waiter won this round
        }
    }
    EXPECT_GT(barged, 0) << "never passed over a waiter younger than max_wait";
    // Once the connection stays free, the waiter gets it.
    held.release();
    ASSERT_EQ(waiter.wait_for(kLiveness), std::future_status::ready);
    waiter.get();
}

TEST_F(PoolTest, BoundedFairnessHandsOverStrictlyOnceTheOldestHasWaitedMaxWait) {
    auto pool = make_pool(one_connection(FairnessMode::bounded, 1000us),
                          std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    auto waiter = std::async(std::launch::async, [&] { return pool->claim(kLiveness); });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    std::this_thread::sleep_for(20ms);  // well past max_wait
    const std::uint64_t id = held->id();
    held.release();
    EXPECT_THROW(pool->claim(0ms), ClaimTimeout) << "passed over a waiter older than max_wait";
    // The waiter keeps its handle until now, so that it cannot give the
    // connection back before the claim above tries for it.
    EXPECT_EQ(waiter.get()->id(), id);
}

TEST_F(PoolTest, BoundedFairnessKeepsTheWaitersInOrder) {
    auto pool = make_pool(one_connection(FairnessMode::bounded, 100us),
                          std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    std::mutex order_mutex;
    std::vector<int> order;
    std::vector<std::thread> claimers;
    for (int i = 0; i < 4; ++i) {
        claimers.emplace_back([&, i] {
            auto h = pool->claim(kLiveness);
            std::lock_guard lock(order_mutex);
            order.push_back(i);
        });
        ASSERT_TRUE(eventually([&] { return pool->stats().waiters == static_cast<std::size_t>(i + 1); }));
    }
    held.release();
    for (auto& t : claimers) t.join();
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
