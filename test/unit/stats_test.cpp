// Counters, states and histograms in PoolStats, and their JSON and
// Prometheus renderings.
#include "pool_fixture.hpp"

#include <cueball/stats_format.hpp>

#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>
#include <thread>

namespace cueball::test {
namespace {

TEST(WaitHistogram, BucketsSumAndQuantiles) {
    WaitHistogram h;
    EXPECT_EQ(h.quantile(0.99), std::chrono::microseconds(0));
    for (int i = 0; i < 98; ++i) h.record(std::chrono::nanoseconds(0));
    h.record(std::chrono::microseconds(50));
    h.record(std::chrono::milliseconds(5));
    EXPECT_EQ(h.count(), 100u);
    EXPECT_EQ(h.counts[0], 98u);
    EXPECT_EQ(h.counts[2], 1u);  // (10 us, 100 us]
    EXPECT_EQ(h.counts[4], 1u);  // (1 ms, 10 ms]
    EXPECT_EQ(h.sum, std::chrono::microseconds(5050));
    EXPECT_EQ(h.quantile(0.5), std::chrono::microseconds(0));
    EXPECT_EQ(h.quantile(1.0), std::chrono::microseconds(10'000));
    h.record(std::chrono::hours(1));
    EXPECT_EQ(h.counts.back(), 1u);

    WaitHistogram earlier = h;
    h.record(std::chrono::microseconds(5));
    WaitHistogram d = h.since(earlier);
    EXPECT_EQ(d.count(), 1u);
    EXPECT_EQ(d.counts[1], 1u);
}

TEST_F(PoolTest, CountersFollowWhatHappened) {
    auto backends = loopback_backends(2);
    const BackendKey good = backend_key(backends[0]), bad = backend_key(backends[1]);
    world->set(bad, FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(2);
    o.backoff_initial = 5000ms;
    o.backoff_max = 5000ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return idle_on(pool->stats(), good) == 2; }));

    pool->claim(kLiveness).release();
    pool->claim(kLiveness).discard();
    world->set(good, FakeBehaviour{.fail_reset = true});
    pool->claim(kLiveness).release();
    world->set(good, FakeBehaviour{});
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    auto a = pool->claim(kLiveness);
    auto b = pool->claim(kLiveness);
    EXPECT_THROW(pool->claim(1ms), ClaimTimeout);

    PoolStats s = pool->stats();
    EXPECT_EQ(s.name, "test");
    EXPECT_EQ(s.max_connections, 2u);
    EXPECT_EQ(s.counters.claims, 5u);
    EXPECT_EQ(s.counters.claim_timeouts, 1u);
    EXPECT_EQ(s.counters.discards, 1u);
    EXPECT_EQ(s.counters.resets_failed, 1u);
    EXPECT_EQ(s.counters.connects, 4u);
    EXPECT_GE(s.counters.connect_failures, 1u);
    EXPECT_EQ(s.claim_wait.count(), 5u);

    const BackendStats* g = backend_stats(s, good);
    const BackendStats* f = backend_stats(s, bad);
    ASSERT_TRUE(g && f);
    EXPECT_EQ(g->state, BackendState::Online);
    EXPECT_EQ(g->counters.claims, 5u);
    EXPECT_EQ(g->counters.connects, 4u);
    EXPECT_FALSE(g->retry_in.has_value());
    EXPECT_EQ(f->state, BackendState::Failing);
    ASSERT_TRUE(f->retry_in.has_value());
    EXPECT_LE(*f->retry_in, 5000ms);
    EXPECT_EQ(f->counters.connect_failures, f->connect_failures);
}

TEST_F(PoolTest, WaitsAreMeasuredForClaimsThatWaited) {
    auto pool = make_pool(fast_options(1), std::make_shared<StaticResolver>(loopback_backends(1)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    auto held = pool->claim(kLiveness);
    std::thread waiter([&] { pool->claim(kLiveness); });
    ASSERT_TRUE(eventually([&] { return pool->stats().waiters == 1; }));
    std::this_thread::sleep_for(2ms);  // so that the wait is measurably above zero
    held.release();
    waiter.join();
    PoolStats s = pool->stats();
    EXPECT_EQ(s.claim_wait.count(), 2u);
    EXPECT_EQ(s.claim_wait.counts[0], 1u);
    EXPECT_GE(s.claim_wait.sum, 2ms);
}

TEST_F(PoolTest, HealthCheckFailuresAreCounted) {
    auto backends = loopback_backends(1);
    PoolOptions o = fast_options(1);
    o.health_check_interval = 20ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 1; }));
    world->set(backend_key(backends[0]), FakeBehaviour{.invalid = true});
    ASSERT_TRUE(eventually([&] { return pool->stats().counters.health_check_failures >= 1; }));
    EXPECT_GE(pool->stats().backends[0].counters.health_check_failures, 1u);
}

TEST_F(PoolTest, JsonRenderingParsesAndMatchesStats) {
    auto pool = make_pool(fast_options(4), std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    auto h = pool->claim(kLiveness);
    PoolStats s = pool->stats();
    auto j = nlohmann::json::parse(to_json(s));
    EXPECT_EQ(j["name"], "test");
    EXPECT_EQ(j["claimed_connections"], 1);
    EXPECT_EQ(j["idle_connections"], 3);
    EXPECT_EQ(j["counters"]["claims"], 1);
    ASSERT_EQ(j["backends"].size(), 2u);
    EXPECT_EQ(j["backends"][0]["key"], s.backends[0].key);
    EXPECT_EQ(j["backends"][0]["state"], "online");
    EXPECT_TRUE(j["backends"][0]["retry_in_ms"].is_null());
    auto all = nlohmann::json::parse(to_json(std::vector<PoolStats>{s, s}));
    EXPECT_EQ(all.size(), 2u);
}

TEST_F(PoolTest, PrometheusRenderingIsValidExposition) {
    PoolOptions o = fast_options(2);
    o.name = "pool \"quoted\"\\x";
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    pool->claim(kLiveness).release();
    const std::string text = to_prometheus({pool->stats()});

    const std::regex comment(R"(# (HELP|TYPE) cueball_[a-z_]+ .+)");
    const std::regex sample(R"re(cueball_[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} [0-9.e+-]+)re");
    std::istringstream lines(text);
    std::string line;
    int samples = 0;
    while (std::getline(lines, line)) {
        if (line.rfind('#', 0) == 0) {
            EXPECT_TRUE(std::regex_match(line, comment)) << line;
        } else {
            EXPECT_TRUE(std::regex_match(line, sample)) << line;
            ++samples;
        }
    }
    EXPECT_GT(samples, 20);
    EXPECT_NE(text.find(R"(cueball_pool_claims_total{pool="pool \"quoted\"\\x"} 1)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"(cueball_pool_claim_wait_seconds_bucket{pool="pool \"quoted\"\\x",le="+Inf"} 1)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(backend="127.0.0.1:10001",state="online"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace cueball::test
