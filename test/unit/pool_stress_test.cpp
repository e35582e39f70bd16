// Many claimers at once while backends come and go and connections fail: no
// connection is ever held twice, none leaks, none is closed twice.
#include "pool_fixture.hpp"

#include <atomic>
#include <random>
#include <thread>

namespace cueball::test {
namespace {

TEST_F(PoolTest, SixteenThreadsWithBackendChurn) {
    auto backends = loopback_backends(6);
    auto resolver = std::make_shared<StaticResolver>(std::vector<Backend>{backends[0], backends[1]});
    PoolOptions o = fast_options(8);
    o.rebalance_delay = 5ms;
    o.health_check_interval = 10ms;
    o.decoherence_interval = 7ms;
    auto pool = make_pool(o, resolver);

    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> claims{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 16; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t));
            for (int i = 0; i < 400 && !done; ++i) {
                auto h = pool->claim(kLiveness);
                h->begin_use();
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
                h->end_use();
                if (rng() % 20 == 0) h.discard();
                ++claims;
            }
        });
    }
    // Backends 0 and 1 stay; 2..5 come and go; 2 also fails now and then.
    std::thread churn([&] {
        std::mt19937 rng(42);
        std::vector<bool> present(6, false);
        present[0] = present[1] = true;
        for (int i = 0; i < 200; ++i) {
            const std::size_t b = 2 + rng() % 4;
            if (present[b]) {
                resolver->remove(backends[b]);
            } else {
                resolver->add(backends[b]);
            }
            present[b] = !present[b];
            world->set(backend_key(backends[2]), FakeBehaviour{.fail_connect = rng() % 2 == 0});
            std::this_thread::sleep_for(3ms);
        }
    });
    churn.join();
    for (auto& w : workers) w.join();
    done = true;
    EXPECT_EQ(claims, 16u * 400u);
    PoolStats s = pool->stats();
    EXPECT_EQ(s.total_connections, s.idle_connections + s.claimed_connections);
    EXPECT_EQ(s.claimed_connections, 0u);
    pool.reset();
    expect_clean_world();
}

}  // namespace
}  // namespace cueball::test
