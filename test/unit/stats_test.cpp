// Counters, states and histograms in PoolStats, and their JSON and
// Prometheus renderings.
#include "pool_fixture.hpp"

#include <cueball/stats_format.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>
#include <thread>

namespace cueball::test {
namespace {

TEST(LatencyHistogram, CountsSumAndDelta) {
    LatencyHistogram h;
    EXPECT_EQ(h.quantile(0.99), std::chrono::nanoseconds(0));
    for (int i = 0; i < 98; ++i) h.record(std::chrono::nanoseconds(0));
    h.record(std::chrono::microseconds(50));
    h.record(std::chrono::milliseconds(5));
    EXPECT_EQ(h.count(), 100u);
    ASSERT_EQ(h.buckets().size(), 3u);
    EXPECT_EQ(h.buckets()[0].count, 98u);
    EXPECT_EQ(h.sum, std::chrono::microseconds(5050));
    EXPECT_EQ(h.quantile(0.5), std::chrono::nanoseconds(0));
    h.record(std::chrono::hours(2));  // past the last octave: the open bucket
    EXPECT_EQ(h.buckets().back().index, LatencyHistogram::kBuckets - 1);
    EXPECT_EQ(h.quantile(1.0), LatencyHistogram::lower_bound(LatencyHistogram::kBuckets - 1));

    LatencyHistogram earlier = h;
    h.record(std::chrono::microseconds(5));
    LatencyHistogram d = h.since(earlier);
    EXPECT_EQ(d.count(), 1u);
    EXPECT_EQ(d.buckets()[0].index, LatencyHistogram::bucket_of(std::chrono::microseconds(5)));
    LatencyHistogram total = earlier;
    total += d;
    EXPECT_EQ(total, h);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
    for (std::size_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
        EXPECT_EQ(LatencyHistogram::upper_bound(i), LatencyHistogram::lower_bound(i + 1)) << i;
        EXPECT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::lower_bound(i)), i) << i;
        EXPECT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::upper_bound(i) - std::chrono::nanoseconds(1)), i) << i;
    }
    EXPECT_EQ(LatencyHistogram::bucket_of(std::chrono::nanoseconds(-5)), 0u);
    EXPECT_EQ(LatencyHistogram::bucket_of(std::chrono::nanoseconds::max()), LatencyHistogram::kBuckets - 1);
}

// p50, p99 and p999 of known distributions, against the exact values.
struct QuantileCase {
    const char* what;
    std::vector<std::int64_t> values_ns;
};

TEST(LatencyHistogram, QuantilesAreWithinOneSixteenth) {
    std::vector<QuantileCase> cases;
    QuantileCase uniform{"uniform 1 us .. 10 ms", {}};
    for (std::int64_t v = 1'000; v <= 10'000'000; v += 997) uniform.values_ns.push_back(v);
    cases.push_back(uniform);
    QuantileCase geometric{"geometric 1 us .. 60 s", {}};
    for (double v = 1'000; v < 60e9; v *= 1.0007) geometric.values_ns.push_back(static_cast<std::int64_t>(v));
    cases.push_back(geometric);
    QuantileCase constant{"one value, 123,456 ns", std::vector<std::int64_t>(1000, 123'456)};
    cases.push_back(constant);
    QuantileCase bimodal{"bimodal 3 us / 40 ms", {}};
    for (int i = 0; i < 9990; ++i) bimodal.values_ns.push_back(3'000 + i % 7);
    for (int i = 0; i < 10; ++i) bimodal.values_ns.push_back(40'000'000 + i);
    cases.push_back(bimodal);
    for (QuantileCase& c : cases) {
        LatencyHistogram h;
        for (std::int64_t v : c.values_ns) h.record(std::chrono::nanoseconds(v));
        std::sort(c.values_ns.begin(), c.values_ns.end());
        for (double q : {0.5, 0.99, 0.999}) {
            const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(c.values_ns.size())));
            const double exact = static_cast<double>(c.values_ns[rank - 1]);
            const double got = static_cast<double>(h.quantile(q).count());
            EXPECT_LE(std::abs(got - exact) / exact, 1.0 / 16) << c.what << " q=" << q << " exact " << exact
                                                                << " got " << got;
        }
    }
}

TEST(LatencyHistogram, CountAtMostIsExactOnBucketBoundaries) {
    LatencyHistogram h;
    h.record(std::chrono::microseconds(3));
    h.record(std::chrono::microseconds(900));
    h.record(std::chrono::seconds(2));
    const std::size_t b = LatencyHistogram::bucket_of(std::chrono::microseconds(900));
    EXPECT_EQ(h.count_at_most(LatencyHistogram::upper_bound(b) - std::chrono::nanoseconds(1)), 2u);
    EXPECT_EQ(h.count_at_most(LatencyHistogram::lower_bound(b) - std::chrono::nanoseconds(1)), 1u);
    EXPECT_EQ(h.count_at_most(std::chrono::hours(1)), 3u);
}

TEST(LatencyHistogram, SumSaturatesInsteadOfOverflowing) {
    LatencyHistogram h;
    h.record(std::chrono::nanoseconds::max());
    h.record(std::chrono::nanoseconds::max(), 3);
    EXPECT_EQ(h.sum, std::chrono::nanoseconds::max());
    EXPECT_EQ(h.count(), 4u);
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
    EXPECT_EQ(s.claim_wait.buckets()[0].index, 0u);
    EXPECT_EQ(s.claim_wait.buckets()[0].count, 1u);
    EXPECT_GE(s.claim_wait.sum, 2ms);
}

TEST_F(PoolTest, UseTimeAndCreateTimeAreRecorded) {
    const auto backends = loopback_backends(1);
    world->set(backend_key(backends[0]), FakeBehaviour{.connect_delay = 20ms});
    PoolOptions o = fast_options(1);
    o.use_time_sample = 1;  // every claim
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    for (int i = 0; i < 3; ++i) {
        auto h = pool->claim(kLiveness);
        std::this_thread::sleep_for(10ms);
    }
    const PoolStats s = pool->stats();
    EXPECT_EQ(s.use_time.count(), 3u);
    EXPECT_GE(s.use_time.quantile(0.5), 9ms);  // the bucket's midpoint is within 1/16
    EXPECT_EQ(s.create_time.count(), 1u);
    EXPECT_GE(s.create_time.quantile(0.5), 18ms);
    ASSERT_EQ(s.backends.size(), 1u);
    EXPECT_EQ(s.backends[0].use_time, s.use_time);
    EXPECT_EQ(s.backends[0].create_time, s.create_time);
}

TEST_F(PoolTest, UseTimeIsSampledAndCanBeTurnedOff) {
    for (const std::uint32_t sample : {0u, 4u}) {
        PoolOptions o = fast_options(1);
        o.use_time_sample = sample;
        auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(1)));
        for (int i = 0; i < 64; ++i) pool->claim(kLiveness).release();
        EXPECT_EQ(pool->stats().use_time.count(), sample == 0 ? 0u : 16u) << "use_time_sample " << sample;
    }
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
