// The production features: dead backends and fail-fast, pool state, spares,
// lifetimes, validation on claim, long-claim warnings, cancellation, and the
// churn limit.
#include "pool_fixture.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <atomic>
#include <mutex>
#include <stop_token>
#include <thread>

namespace cueball::test {
namespace {

TEST_F(PoolTest, BackendDiesAfterConsecutiveFailuresAndComesBack) {
    auto backends = loopback_backends(2);
    const BackendKey good = backend_key(backends[0]), bad = backend_key(backends[1]);
    world->set(bad, FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(4);
    o.dead_after_failures = 3;
    o.backoff_initial = 10ms;
    o.backoff_max = 150ms;
    o.backoff_jitter = 0.0;
    o.connects_per_backend = 1;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        const BackendStats* b = backend_stats(s, bad);
        return b != nullptr && b->state == BackendState::Dead;
    }));
    // Its share moves to the good backend, which connects the difference.
    EXPECT_TRUE(eventually([&] { return idle_on(pool->stats(), good) == 4u; }));
    EXPECT_EQ(pool->stats().state, PoolState::Running);
    // Dead: one probe at a time, each the maximum backoff after the last.
    ASSERT_TRUE(eventually([&] { return world->attempt_times(bad).size() >= 6; }));
    auto times = world->attempt_times(bad);
    for (std::size_t i = 4; i < 6; ++i) EXPECT_GE(times[i] - times[i - 1], 150ms) << "probe " << i;

    world->set(bad, FakeBehaviour{});
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return idle_on(s, bad) == 2 && idle_on(s, good) == 2 && backend_stats(s, bad)->state == BackendState::Online;
    }));
}

TEST_F(PoolTest, AllBackendsDeadFailsClaimsAtOnceUntilOneIsBack) {
    auto backends = loopback_backends(2);
    for (const auto& b : backends) world->set(backend_key(b), FakeBehaviour{.fail_connect = true});
    std::mutex states_mutex;
    std::vector<std::pair<PoolState, PoolState>> states;
    PoolOptions o = fast_options(2);
    o.dead_after_failures = 2;
    o.backoff_initial = 5ms;
    o.backoff_max = 50ms;
    o.on_state_change = [&](PoolState from, PoolState to) {
        std::lock_guard lock(states_mutex);
        states.emplace_back(from, to);
    };
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));

    // A claimer already waiting when the pool fails is failed too.
    std::atomic<bool> waiter_failed{false};
    std::thread waiter([&] {
        try {
            pool->claim(kLiveness);
        } catch (const NoBackendsAvailable&) {
            waiter_failed = true;
        }
    });
    ASSERT_TRUE(eventually([&] { return pool->stats().state == PoolState::Failed; }));
    waiter.join();
    EXPECT_TRUE(waiter_failed);
    try {
        pool->claim(kLiveness);  // would wait 20 s if it did not fail at once
        FAIL() << "claim succeeded on a failed pool";
    } catch (const NoBackendsAvailable& e) {
        EXPECT_NE(std::string(e.what()).find("all 2 backends are dead"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("fake connect refused"), std::string::npos) << e.what();
    }
    EXPECT_GE(pool->stats().counters.claims_failed_fast, 2u);

    world->set(backend_key(backends[1]), FakeBehaviour{});
    // Live again once its next probe connects.
    ASSERT_TRUE(eventually([&] { return pool->stats().state == PoolState::Running; }));
    auto h = pool->claim(kLiveness);
    EXPECT_EQ(h->key(), backend_key(backends[1]));
    EXPECT_EQ(pool->stats().state, PoolState::Running);
    h.release();
    pool->stop();
    std::lock_guard lock(states_mutex);
    const std::vector<std::pair<PoolState, PoolState>> expected{{PoolState::Starting, PoolState::Running},
                                                                {PoolState::Running, PoolState::Failed},
                                                                {PoolState::Failed, PoolState::Running},
                                                                {PoolState::Running, PoolState::Stopping},
                                                                {PoolState::Stopping, PoolState::Stopped}};
    EXPECT_EQ(states, expected);
}

TEST_F(PoolTest, FailFastWithNoBackendsPerPoolAndPerCall) {
    PoolOptions o = fast_options(2);
    o.fail_fast = true;
    auto pool = make_pool(o, std::make_shared<StaticResolver>());
    ASSERT_TRUE(eventually([&] { return pool->stats().state == PoolState::Running; }));
    EXPECT_THROW(pool->claim(kLiveness), NoBackendsAvailable);
    // Per call, the pool's choice can be overridden.
    EXPECT_THROW(pool->claim(ClaimOptions{.timeout = 30ms, .fail_fast = false}), ClaimTimeout);

    auto patient = make_pool(fast_options(2), std::make_shared<StaticResolver>());
    ASSERT_TRUE(eventually([&] { return patient->stats().state == PoolState::Running; }));
    EXPECT_THROW(patient->claim(30ms), ClaimTimeout);
    try {
        patient->claim(ClaimOptions{.timeout = kLiveness, .fail_fast = true});
        FAIL() << "claim succeeded with no backends";
    } catch (const NoBackendsAvailable& e) {
        EXPECT_NE(std::string(e.what()).find("no backends"), std::string::npos) << e.what();
    }
}

TEST_F(PoolTest, SparesGrowAtOnceAndShrinkAfterIdleTimeout) {
    PoolOptions o = fast_options(10);
    o.spares = 2;
    o.idle_timeout = 1500ms;  // long enough that "not at once" holds on a loaded machine
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    EXPECT_EQ(pool->stats().target_connections, 2u);

    std::vector<PoolHandle<FakeConnection>> held;
    for (int i = 0; i < 5; ++i) held.push_back(pool->claim(kLiveness));
    // Five claimed and two spare.
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool->stats();
        return s.claimed_connections == 5 && s.idle_connections == 2 && s.pending_connections == 0;
    }));
    for (int i = 0; i < 5; ++i) held.push_back(pool->claim(kLiveness));
    EXPECT_EQ(pool->stats().total_connections, 10u);  // never above max_connections
    held.clear();
    EXPECT_EQ(pool->stats().total_connections, 10u);  // not at once
    ASSERT_TRUE(eventually([&] { return pool->stats().total_connections == 2; }));
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ConnectionsAreReplacedAtMaxLifetime) {
    PoolOptions o = fast_options(3);
    o.max_lifetime = 150ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 3; }));
    auto held = pool->claim(kLiveness);
    const std::uint64_t id = held->id();
    ASSERT_TRUE(eventually([&] { return pool->stats().counters.expired >= 2; }));
    // The claimed one is left alone until it comes back, then closed.
    EXPECT_FALSE(held->closed());
    const auto expired_before = pool->stats().counters.expired;
    std::this_thread::sleep_for(200ms);  // so that it is certainly past its lifetime
    held.release();
    EXPECT_GT(pool->stats().counters.expired, expired_before);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 3; }));
    for (int i = 0; i < 3; ++i) EXPECT_NE(pool->claim(kLiveness)->id(), id);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ValidationOnClaimReplacesABadConnectionWithoutLosingThePlace) {
    PoolOptions o = fast_options(1);
    o.validate_on_claim = true;
    o.validation_bypass_window = 0ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    world->condemn(held->id());  // goes bad while claimed; fails validation next time

    std::mutex order_mutex;
    std::vector<char> order;
    auto claimer = [&](char name) {
        auto h = pool->claim(kLiveness);
        h->begin_use();
        h->end_use();
        std::lock_guard lock(order_mutex);
        order.push_back(name);
    };
    std::thread a(claimer, 'a');
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    std::thread b(claimer, 'b');
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 2; }));
    held.release();
    a.join();
    b.join();
    EXPECT_EQ(order, (std::vector<char>{'a', 'b'}));
    EXPECT_EQ(pool->stats().counters.validations_failed, 1u);
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ValidationIsSkippedWithinTheBypassWindow) {
    PoolOptions o = fast_options(1);
    o.validate_on_claim = true;
    o.validation_bypass_window = 60'000ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    for (int i = 0; i < 10; ++i) pool->claim(kLiveness).release();
    EXPECT_EQ(world->totals().checks, 0u);
}

TEST_F(PoolTest, LongClaimsAreLoggedOnceWithTheirCallSite) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
    auto logger = std::make_shared<spdlog::logger>("pool", sink);
    PoolOptions o = fast_options(2);
    o.claim_warning_threshold = 40ms;
    o.logger = logger;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    auto first = pool->claim(kLiveness);
    ASSERT_TRUE(eventually([&] { return pool->stats().counters.long_claims == 1; }));
    auto second = pool->claim(kLiveness);
    ASSERT_TRUE(eventually([&] { return pool->stats().counters.long_claims == 2; }));
    EXPECT_EQ(pool->stats().counters.long_claims, 2u) << "a long claim was reported twice";

    int warnings = 0;
    for (const auto& line : sink->last_formatted()) {
        if (line.find("claimed for") == std::string::npos) continue;
        ++warnings;
        EXPECT_NE(line.find("production_test.cpp"), std::string::npos) << line;
        EXPECT_NE(line.find("127.0.0.1:10001"), std::string::npos) << line;
    }
    EXPECT_EQ(warnings, 2);
    const PoolStats s = pool->stats();
    ASSERT_EQ(s.oldest_claims.size(), 2u);
    EXPECT_GE(s.oldest_claims[0].age, s.oldest_claims[1].age);
    EXPECT_GE(s.oldest_claims[0].age, 40ms);
    EXPECT_NE(std::string(s.oldest_claims[0].site.file).find("production_test.cpp"), std::string::npos);
}

TEST_F(PoolTest, WaitingClaimCanBeCancelled) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    auto held = pool->claim(kLiveness);
    std::stop_source stop;
    std::atomic<bool> cancelled{false};
    std::thread waiter([&] {
        try {
            pool->claim(kLiveness, stop.get_token());
        } catch (const ClaimCancelled&) {
            cancelled = true;
        }
    });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    stop.request_stop();
    waiter.join();
    EXPECT_TRUE(cancelled);
    EXPECT_EQ(pool->stats().waiters, 0u);
    EXPECT_EQ(pool->stats().counters.claims_cancelled, 1u);
    // A token stopped beforehand cancels at once; the connection stays free.
    held.release();
    EXPECT_THROW(pool->claim(kLiveness, stop.get_token()), ClaimCancelled);
    EXPECT_TRUE(pool->claim(ClaimOptions{.timeout = kLiveness, .stop_token = std::stop_token{}}));
}

TEST_F(PoolTest, ChurnLimitSpacesConnects) {
    PoolOptions o = fast_options(30);
    o.max_churn_rate = 20.0;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 30; }));
    auto times = world->attempt_times(backend_key(loopback_backends(1)[0]));
    ASSERT_EQ(times.size(), 30u);
    // A bucket of 20, then 20 per second: the last 10 take at least half a second.
    EXPECT_GE(times[29] - times[0], 450ms);
    EXPECT_GT(pool->stats().counters.churn_delays, 0u);
}

}  // namespace
}  // namespace cueball::test
