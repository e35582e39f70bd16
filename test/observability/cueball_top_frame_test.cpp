// cueball-top's pure parts: reading back what to_json() writes, and the
// rates and p99 it derives from two snapshots.
#include "frame.hpp"
#include "snapshot.hpp"

#include <cueball/stats_format.hpp>

#include <gtest/gtest.h>

#include <regex>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;

PoolStats sample_pool() {
    PoolStats p;
    p.name = "orders";
    p.max_connections = 4;
    p.total_connections = 3;
    p.idle_connections = 2;
    p.claimed_connections = 1;
    p.pending_connections = 1;
    p.waiters = 2;
    p.counters.claims = 100;
    p.counters.claim_timeouts = 3;
    p.claim_wait.record(0ns);
    p.claim_wait.record(5ms);
    BackendStats b;
    b.key = "127.0.0.1:10001";
    b.backend = {"127.0.0.1", 10001, "one"};
    b.state = BackendState::Failing;
    b.idle = 2;
    b.claimed = 1;
    b.connect_failures = 7;
    b.consecutive_failures = 2;
    b.retry_in = 250ms;
    b.last_error = "refused \"quoted\"";
    b.counters.claims = 100;
    b.claim_wait = p.claim_wait;
    p.backends.push_back(b);
    return p;
}

TEST(CueballTopSnapshot, ReadsBackWhatToJsonWrites) {
    const PoolStats p = sample_pool();
    const std::vector<PoolStats> pools = top::parse_pools(to_json(std::vector<PoolStats>{p, p}));
    ASSERT_EQ(pools.size(), 2u);
    const PoolStats& r = pools[0];
    EXPECT_EQ(r.name, p.name);
    EXPECT_EQ(r.max_connections, p.max_connections);
    EXPECT_EQ(r.total_connections, p.total_connections);
    EXPECT_EQ(r.pending_connections, p.pending_connections);
    EXPECT_EQ(r.waiters, p.waiters);
    EXPECT_EQ(r.counters.claims, p.counters.claims);
    EXPECT_EQ(r.counters.claim_timeouts, p.counters.claim_timeouts);
    EXPECT_EQ(r.claim_wait, p.claim_wait);
    EXPECT_EQ(r.claim_wait.sum, p.claim_wait.sum);
    ASSERT_EQ(r.backends.size(), 1u);
    const BackendStats& b = r.backends[0];
    EXPECT_EQ(b.key, p.backends[0].key);
    EXPECT_EQ(b.backend.name, "one");
    EXPECT_EQ(b.state, BackendState::Failing);
    EXPECT_EQ(b.connect_failures, 7u);
    EXPECT_EQ(b.retry_in, 250ms);
    EXPECT_EQ(b.last_error, p.backends[0].last_error);
    EXPECT_EQ(b.claim_wait, p.claim_wait);
}

TEST(CueballTopSnapshot, RejectsWhatIsNotStats) {
    for (const char* bad : {"", "{", "{}", "[1]", R"([{"name":"x"}])", "[{\"name\":1}]"}) {
        EXPECT_THROW(top::parse_pools(bad), top::FormatError) << bad;
    }
}

TEST(CueballTopFrame, RatesAndP99ComeFromTheDifferenceOfTwoSnapshots) {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    top::Snapshot before{{sample_pool()}, t0};
    top::Snapshot now{{sample_pool()}, t0 + 2s};
    PoolStats& p = now.pools[0];
    p.counters.claims += 50;
    p.backends[0].counters.claims += 50;
    for (int i = 0; i < 50; ++i) p.claim_wait.record(50us);
    p.backends[0].claim_wait = p.claim_wait;
    BackendStats fresh;
    fresh.key = "127.0.0.1:10002";
    fresh.state = BackendState::Online;
    p.backends.push_back(fresh);

    const std::vector<top::Line> lines = top::render("title", now, before, "");
    std::string text;
    for (const top::Line& l : lines) text += l.text + "\n";
    EXPECT_EQ(lines.front().text, "title");
    EXPECT_NE(text.find("claims/s 25.0  p99 51.2us  timeouts 3"), std::string::npos) << text;
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(127\.0\.0\.1:10001 +failing +2 +1 +0 +7 +25\.0 +51\.2us)")))
        << text;
    // New since the last poll: no rate yet.
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(127\.0\.0\.1:10002 +online +0 +0 +0 +0 +- +-)"))) << text;
}

TEST(CueballTopFrame, WithoutAnEarlierSnapshotRatesAreDashes) {
    const top::Snapshot now{{sample_pool()}, std::chrono::steady_clock::now()};
    std::string text;
    for (const top::Line& l : top::render("t", now, std::nullopt, "")) text += l.text + "\n";
    EXPECT_NE(text.find("claims/s -  p99 -"), std::string::npos) << text;
}

TEST(CueballTopFrame, PoolFilterAndEmptyResults) {
    const top::Snapshot now{{sample_pool()}, std::chrono::steady_clock::now()};
    EXPECT_EQ(top::render("t", now, std::nullopt, "orders").size(), top::render("t", now, std::nullopt, "").size());
    EXPECT_EQ(top::render("t", now, std::nullopt, "other").back().text, "no pool named 'other'");
    EXPECT_EQ(top::render("t", top::Snapshot{}, std::nullopt, "").back().text, "no pools registered");
}

TEST(CueballTopFrame, WaitBoundsReadNaturally) {
    EXPECT_EQ(top::format_wait(0us), "<1us");
    EXPECT_EQ(top::format_wait(10us), "10us");
    EXPECT_EQ(top::format_wait(1500us), "1.5ms");
    EXPECT_EQ(top::format_wait(100'000us), "100ms");
    EXPECT_EQ(top::format_wait(12'300'000us), "12.3s");
}

}  // namespace
}  // namespace cueball::test
