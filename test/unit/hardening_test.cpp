// What the pool calls cannot stop it: a log sink or a state callback that
// blocks, an is_valid() that is slow or keeps failing. And what it is given
// cannot trick it: a resolver that already feeds another pool, a fail-fast
// claim made before the pool knows its backends are dead.
#include "pool_fixture.hpp"

#include <cueball/detail/clock.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

namespace cueball::test {
namespace {

// Shut until open() is called; a thread that reaches wait() stays there.
class Gate {
public:
    void wait() {
        std::unique_lock lock(mutex_);
        ++waiting_;
        cv_.wait(lock, [&] { return open_; });
        --waiting_;
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    int waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;  // guarded by mutex_
    int waiting_ = 0;    // guarded by mutex_
};

// A sink that blocks, like a full pipe, on every line that contains `text`.
class BlockingSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    BlockingSink(Gate& gate, std::string text) : gate_(gate), text_(std::move(text)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (std::string_view(msg.payload.data(), msg.payload.size()).find(text_) != std::string_view::npos) {
            gate_.wait();
        }
    }
    void flush_() override {}

private:
    Gate& gate_;
    std::string text_;
};

// Runs `work` on a thread; the gate is opened before joining whatever
// happened, so that a pool stuck behind it cannot hang the test.
class Background {
public:
    Background(Gate& gate, std::function<void()> work)
        : gate_(gate), thread_([this, work = std::move(work)] {
              work();
              done_ = true;
          }) {}
    ~Background() {
        gate_.open();
        thread_.join();
    }
    bool done() const { return done_; }

private:
    Gate& gate_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

TEST_F(PoolTest, ALogSinkThatBlocksDoesNotStopClaimsAndReleases) {
    Gate gate;
    auto logger = std::make_shared<spdlog::logger>("pool", std::make_shared<BlockingSink>(gate, "failing"));
    auto backends = loopback_backends(2);
    world->set(backend_key(backends[1]), FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(4);
    o.logger = logger;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    // The failing backend's warning is stuck in the sink...
    ASSERT_TRUE(eventually([&] { return gate.waiting() > 0; }));

    // ...while the healthy backend keeps serving.
    std::atomic<int> claims{0};
    Background claimer(gate, [&] {
        try {
            for (int i = 0; i < 200; ++i) {
                pool->claim(kLiveness).release();
                ++claims;
            }
        } catch (const Error&) {
        }
    });
    EXPECT_TRUE(eventually([&] { return claimer.done(); })) << claims << " claims while the sink blocked";
    EXPECT_EQ(claims, 200);
    EXPECT_GT(gate.waiting(), 0) << "the sink let go: nothing was proved";
}

TEST_F(PoolTest, AStateCallbackThatBlocksDoesNotStopClaimsOrStats) {
    Gate gate;
    PoolOptions o = fast_options(2);
    std::atomic<int> calls{0};
    o.on_state_change = [&](PoolState, PoolState to) {
        ++calls;
        if (to == PoolState::Running) gate.wait();
    };
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return gate.waiting() > 0; }));

    std::atomic<int> claims{0};
    Background claimer(gate, [&] {
        try {
            for (int i = 0; i < 200; ++i) {
                (void)pool->stats();
                pool->claim(kLiveness).release();
                ++claims;
            }
        } catch (const Error&) {
        }
    });
    EXPECT_TRUE(eventually([&] { return claimer.done(); })) << claims << " claims while the callback blocked";
    EXPECT_EQ(claims, 200);
    EXPECT_GT(gate.waiting(), 0) << "the callback returned: nothing was proved";
}

TEST_F(PoolTest, ASlowValidationEndsTheClaimAtItsDeadlineNotWhenTheCheckEnds) {
    const auto backends = loopback_backends(1);
    PoolOptions o = fast_options(1);
    o.validate_on_claim = true;
    o.validation_bypass_window = 0ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    pool->claim(kLiveness).release();
    world->set(backend_key(backends[0]), FakeBehaviour{.check_delay = 2000ms});

    EXPECT_THROW(pool->claim(50ms), ClaimTimeout);
    // Returned while the check still runs: the caller's clock did not wait for it.
    EXPECT_EQ(world->checks_in_progress(), 1);
    EXPECT_EQ(pool->stats().counters.claim_timeouts, 1u);

    // The checked connection goes back once its check ends.
    world->set(backend_key(backends[0]), FakeBehaviour{});
    ASSERT_TRUE(eventually([&] { return world->checks_in_progress() == 0; }));
    auto h = pool->claim(kLiveness);
    h->begin_use();
    h->end_use();
    h.release();
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, ValidationsThatKeepFailingCannotHoldAClaimPastItsDeadline) {
    const auto backends = loopback_backends(1);
    PoolOptions o = fast_options(40);
    o.validate_on_claim = true;
    o.validation_bypass_window = 0ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 40; }));
    // Every connection, and every replacement, fails its check, each after
    // at least 50 ms: by its 200 ms deadline the claim can have started 5
    // checks (20 allows for a slow scheduler), not gone through all 40.
    world->set(backend_key(backends[0]), FakeBehaviour{.invalid = true, .check_delay = 50ms});

    auto claim = std::async(std::launch::async, [&] { return pool->claim(200ms); });
    if (claim.wait_for(kLiveness) != std::future_status::ready) {
        pool->stop();
        FAIL() << "the claim outlived its deadline";
    }
    const std::uint64_t checks = world->totals().checks;
    EXPECT_THROW(claim.get(), ClaimTimeout);
    EXPECT_GT(checks, 0u);
    EXPECT_LE(checks, 20u) << "the claim kept validating past its deadline";
    world->set(backend_key(backends[0]), FakeBehaviour{});
    pool.reset();
    expect_clean_world();
}

TEST_F(PoolTest, AResolverThatFeedsALivePoolIsRefusedAndKeepsFeedingIt) {
    auto resolver = std::make_shared<StaticResolver>(loopback_backends(1));
    auto first = make_pool(fast_options(1, "first"), resolver);
    try {
        auto second = make_pool(fast_options(1, "second"), resolver);
        FAIL() << "a second pool took a resolver that already feeds one";
    } catch (const InvalidArgument& e) {
        EXPECT_NE(std::string(e.what()).find("'first'"), std::string::npos) << e.what();
    }
    // The refused pool did not stop the first pool's resolver.
    resolver->add(loopback_backends(1, 20000)[0]);
    EXPECT_TRUE(eventually([&] { return first->stats().backends.size() == 2; }));

    // Once the first pool is gone, the resolver may feed another.
    first.reset();
    auto fresh = std::make_shared<StaticResolver>(loopback_backends(1));
    EXPECT_NO_THROW(make_pool(fast_options(1, "third"), fresh));
}

class HardeningVirtualTimeTest : public PoolTest {
protected:
    std::shared_ptr<detail::ManualClock> clock = std::make_shared<detail::ManualClock>();
};

TEST_F(HardeningVirtualTimeTest, AFailFastClaimMadeWhileStartingFailsOnceEveryBackendIsDead) {
    auto backends = loopback_backends(2);
    for (const auto& b : backends) world->set(backend_key(b), FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(2);
    o.rebalance_delay = 1000ms;
    o.dead_after_failures = 1;
    auto pool = std::make_unique<Pool>(o, std::make_shared<StaticResolver>(backends), world->factory(), clock);
    ASSERT_EQ(pool->stats().state, PoolState::Starting);  // virtual time has not moved

    auto claim = std::async(std::launch::async, [&] {
        return pool->claim(ClaimOptions{.timeout = 600'000ms, .fail_fast = true});
    });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    clock->advance(1000ms);  // Starting ends; both backends fail and are dead
    // Virtual time stands still from here: only the pool's state can end the claim.
    if (claim.wait_for(kLiveness) != std::future_status::ready) {
        pool->stop();
        FAIL() << "waited although every backend is dead";
    }
    EXPECT_THROW(claim.get(), NoBackendsAvailable);
    EXPECT_EQ(pool->stats().state, PoolState::Failed);
}

TEST_F(HardeningVirtualTimeTest, TryClaimAppliesValidationAndReturnsNothingRatherThanWait) {
    PoolOptions o = fast_options(1);
    o.rebalance_delay = 0ms;
    o.validate_on_claim = true;
    o.validation_bypass_window = 1000ms;
    auto pool = std::make_unique<Pool>(o, std::make_shared<StaticResolver>(loopback_backends(1)), world->factory(),
                                       clock);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    std::uint64_t bad = 0;
    {
        auto held = pool->try_claim();  // just connected: within the window, no check
        ASSERT_TRUE(held);
        bad = (*held)->id();
        world->condemn(bad);  // goes bad while claimed
    }
    clock->advance(1001ms);

    // Due a check: try_claim() does not wait for it, and never hands out the bad one.
    EXPECT_FALSE(pool->try_claim());
    EXPECT_TRUE(eventually([&] { return world->totals().checks == 1; })) << "not sent to a check";
    // The check found it bad; the replacement, just connected, is what try_claim() returns.
    std::uint64_t got = 0;
    ASSERT_TRUE(eventually([&] {
        auto h = pool->try_claim();
        if (!h) return false;
        (*h)->begin_use();
        (*h)->end_use();
        got = (*h)->id();
        return true;
    }));
    EXPECT_NE(got, bad);
    EXPECT_EQ(world->condemned_claims(), 0u);
    EXPECT_EQ(pool->stats().counters.health_check_failures, 1u);
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
