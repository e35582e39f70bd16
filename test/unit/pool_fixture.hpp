// Shared set-up for the pool's tests: a fake world, a static resolver over
// loopback backends, and options with short delays so tests run quickly.
#pragma once

#include "support/eventually.hpp"
#include "support/fake_connection.hpp"
#include "support/fast_options.hpp"

#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace cueball::test {

using Pool = ConnectionPool<FakeConnection>;
using namespace std::chrono_literals;

class PoolTest : public ::testing::Test {
protected:
    std::shared_ptr<FakeWorld> world = std::make_shared<FakeWorld>();

    std::unique_ptr<Pool> make_pool(PoolOptions options, std::shared_ptr<StaticResolver> resolver) {
        return std::make_unique<Pool>(std::move(options), std::move(resolver), world->factory());
    }

    // Every connection ever opened was closed exactly once, none leaked, and
    // no claimer ever got a connection that was in use or condemned.
    void expect_clean_world() {
        FakeCounts t = world->totals();
        EXPECT_EQ(t.connects, t.closes) << "connections opened but not closed";
        EXPECT_EQ(world->leaked(), 0u);
        EXPECT_EQ(world->double_claims(), 0u);
        EXPECT_EQ(world->condemned_claims(), 0u);
    }
};

inline std::size_t idle_on(const PoolStats& s, const BackendKey& key) {
    for (const auto& b : s.backends) {
        if (b.key == key) return b.idle;
    }
    return 0;
}

inline const BackendStats* backend_stats(const PoolStats& s, const BackendKey& key) {
    for (const auto& b : s.backends) {
        if (b.key == key) return &b;
    }
    return nullptr;
}

}  // namespace cueball::test
