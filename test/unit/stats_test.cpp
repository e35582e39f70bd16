// Counters, states and histograms in PoolStats, and their JSON and
// Prometheus renderings.
#include "pool_fixture.hpp"

#include <cueball/stats_format.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

// A PoolStats with every counter distinct, a dead and an ejected backend,
// and names that are not UTF-8.
PoolStats every_field() {
    PoolStats s;
    s.name = "bad\xff\xfe name";
    s.state = PoolState::Failed;
    s.max_connections = 9;
    s.target_connections = 7;
    std::uint64_t next = 101;
    for (std::uint64_t* c : {&s.counters.claims, &s.counters.claim_timeouts, &s.counters.connects,
                             &s.counters.connect_failures, &s.counters.health_check_failures,
                             &s.counters.resets_failed, &s.counters.discards, &s.counters.claims_cancelled,
                             &s.counters.claims_failed_fast, &s.counters.long_claims, &s.counters.expired,
                             &s.counters.validations_failed, &s.counters.churn_delays, &s.counters.ejections}) {
        *c = next++;
    }
    s.use_time.record(std::chrono::milliseconds(3));
    s.create_time.record(std::chrono::milliseconds(4));
    for (BackendState state : {BackendState::Dead, BackendState::Ejected}) {
        BackendStats b;
        b.backend = Backend{"127.0.0.1", static_cast<std::uint16_t>(state == BackendState::Dead ? 1 : 2),
                            "\xc3\x28 target", 3, 7};
        b.key = backend_key(b.backend);
        b.state = state;
        b.last_error = "\xed\xa0\x80 error";
        b.counters.ejections = state == BackendState::Ejected ? 1 : 0;
        if (state == BackendState::Ejected) b.ejected_for = std::chrono::milliseconds(1500);
        s.backends.push_back(b);
    }
    return s;
}

TEST(StatsFormat, JsonHasEveryCounterStateAndHistogramAndIsValidUtf8) {
    const PoolStats s = every_field();
    const auto j = nlohmann::json::parse(to_json(s));  // throws on invalid UTF-8
    EXPECT_EQ(j["name"], "bad\xEF\xBF\xBD\xEF\xBF\xBD name");
    EXPECT_EQ(j["state"], "failed");
    EXPECT_EQ(j["target_connections"], 7);
    std::uint64_t expected = 101;
    for (const char* key : {"claims", "claim_timeouts", "connects", "connect_failures", "health_check_failures",
                            "resets_failed", "discards", "claims_cancelled", "claims_failed_fast", "long_claims",
                            "expired", "validations_failed", "churn_delays", "ejections"}) {
        EXPECT_EQ(j["counters"][key], expected++) << key;
    }
    EXPECT_EQ(j["use_time"]["count"], 1);
    EXPECT_EQ(j["create_time"]["count"], 1);
    ASSERT_EQ(j["backends"].size(), 2u);
    EXPECT_EQ(j["backends"][0]["state"], "dead");
    EXPECT_EQ(j["backends"][1]["state"], "ejected");
    EXPECT_EQ(j["backends"][1]["priority"], 3);
    EXPECT_EQ(j["backends"][1]["weight"], 7);
    EXPECT_EQ(j["backends"][1]["ejected_for_ms"], 1500);
    EXPECT_EQ(j["backends"][1]["counters"]["ejections"], 1);
}

TEST(StatsFormat, PrometheusHasEveryCounterStateAndTheOpenTelemetryNames) {
    const std::string text = to_prometheus({every_field()});
    const std::string replaced = "bad\xEF\xBF\xBD\xEF\xBF\xBD name";  // each invalid byte as U+FFFD
    const std::string pool = "pool=\"" + replaced + "\"";
    std::uint64_t expected = 101;
    for (const char* metric : {"claims", "claim_timeouts", "connects", "connect_failures", "health_check_failures",
                               "reset_failures", "discards", "claims_cancelled", "claims_failed_fast", "long_claims",
                               "expired", "validations_failed", "churn_delays", "ejections"}) {
        const std::string line = "cueball_pool_" + std::string(metric) + "_total{" + pool + "} " + std::to_string(expected++);
        EXPECT_NE(text.find(line), std::string::npos) << line;
    }
    EXPECT_NE(text.find("cueball_pool_state{" + pool + R"(,state="failed"} 1)"), std::string::npos);
    EXPECT_NE(text.find(R"(backend="127.0.0.1:1",state="dead"} 1)"), std::string::npos);
    EXPECT_NE(text.find(R"(backend="127.0.0.1:2",state="ejected"} 1)"), std::string::npos);
    EXPECT_NE(text.find(R"(cueball_backend_ejections_total{)" + pool + R"(,backend="127.0.0.1:2"} 1)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(cueball_backend_ejected_seconds{)" + pool + R"(,backend="127.0.0.1:2"} 1.5)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(cueball_backend_priority{)" + pool + R"(,backend="127.0.0.1:2"} 3)"), std::string::npos);
    EXPECT_NE(text.find("cueball_pool_use_time_seconds_count{" + pool + "} 1"), std::string::npos);
    EXPECT_NE(text.find("cueball_pool_create_time_seconds_count{" + pool + "} 1"), std::string::npos);
    const std::string otel = "db_client_connection_pool_name=\"" + replaced + "\"";
    for (const std::string& line :
         {"db_client_connection_count{" + otel + R"(,db_client_connection_state="idle"} 0)",
          "db_client_connection_max{" + otel + "} 9", "db_client_connection_idle_min{" + otel + "} 7",
          "db_client_connection_pending_requests{" + otel + "} 0",
          "db_client_connection_timeouts_total{" + otel + "} 102",
          "db_client_connection_use_time_seconds_count{" + otel + "} 1",
          "db_client_connection_create_time_seconds_count{" + otel + "} 1",
          "db_client_connection_wait_time_seconds_count{" + otel + "} 0"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line;
    }
}

// Prometheus's own checker, when Debian's prometheus package is installed.
TEST(StatsFormat, PromtoolAcceptsTheExposition) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
    const std::string path = testing::TempDir() + "cueball_metrics.prom";
    {
        std::ofstream out(path);
        out << to_prometheus({every_field(), PoolStats{}});
    }
    const std::string command = "promtool check metrics < '" + path + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = pclose(pipe);
    std::remove(path.c_str());
    // promtool's lint notes (counter naming advice) exit 3; errors exit 1.
    EXPECT_TRUE(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3)) << output;
    EXPECT_EQ(output.find("error"), std::string::npos) << output;
}

TEST_F(PoolTest, PrometheusRenderingIsValidExposition) {
    PoolOptions o = fast_options(2);
    o.name = "pool \"quoted\"\\x";
    auto pool = make_pool(o, std::make_shared<StaticResolver>(loopback_backends(2)));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    pool->claim(kLiveness).release();
    const std::string text = to_prometheus({pool->stats()});

    const std::regex comment(R"(# (HELP|TYPE) (cueball|db_client)_[a-z_]+ .+)");
    const std::regex sample(R"re((cueball|db_client)_[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} [0-9.e+-]+)re");
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
