// W8 churn: a warm pool of 10 connections per backend loses half of its
// backends and gains as many new ones in one resolver burst. Measures the
// time from the end of the burst until the pool is rebalanced: every new
// backend holds its share, nothing is open to a removed one, no connect is
// pending. The time includes the rebalance_delay debounce (default 100 ms),
// which starts at the last event; it is also reported with the delay taken off.
// Delivering the burst through the StaticResolver is timed on its own (burst_ms).
// The 10,000-backend case runs again with mixed SRV priorities and weights
// (ms_10000_weighted): then the pool is rebalanced when every backend holds
// exactly the target the spreading rules give it.
#include "harness.hpp"
#include "noop_fleet.hpp"
#include "workloads.hpp"

#include <thread>

namespace bench {

namespace {

constexpr std::size_t kPerBackend = 10;

struct Run {
    double burst_ms = 0;      // delivering the events
    double rebalance_ms = 0;  // end of the burst -> rebalanced
    double stats_ms = 0;      // the stats() call that confirmed it
};

// Open connections per group, counted by the connections themselves, so the
// wait can poll cheaply and confirm with stats() only at the end.
struct Groups {
    std::atomic<std::int64_t> removed{0}, kept{0}, added{0};
};

bool rebalanced(const NoopPool& pool, std::size_t backends, bool weighted) {
    const cueball::PoolStats s = pool.stats();
    if (s.pending_connections != 0 || s.backends.size() != backends) return false;
    std::size_t open = 0;
    for (const cueball::BackendStats& b : s.backends) {
        const std::size_t index = std::size_t{b.backend.port} - 1;
        const std::size_t want = weighted ? b.target : kPerBackend;
        if (index < backends / 2 || b.idle + b.claimed != want) return false;
        open += b.idle + b.claimed;
    }
    return open == kPerBackend * backends;
}

Run run_once(std::size_t backends, bool weighted) {
    const std::size_t half = backends / 2;
    const NoopFleet::MakeBackend make = weighted ? &NoopFleet::weighted_backend : &NoopFleet::backend;
    // Indexes: [0, half) are removed, [half, backends) kept, [backends, backends + half) added.
    NoopFleet fleet(backends + half, backends, make);
    Groups groups;
    for (std::size_t i = 0; i < backends + half; ++i) {
        fleet.state(i).open = i < half ? &groups.removed : i < backends ? &groups.kept : &groups.added;
    }
    const cueball::PoolOptions options = pool_options("W8", kPerBackend * backends);
    NoopPool pool(options, fleet.resolver(), fleet.factory());
    wait_warm(pool, kPerBackend * backends);

    const Clock::time_point t0 = Clock::now();
    for (std::size_t i = 0; i < half; ++i) fleet.resolver()->remove(make(i));
    for (std::size_t i = 0; i < half; ++i) fleet.resolver()->add(make(backends + i));
    const Clock::time_point t1 = Clock::now();

    const auto share = static_cast<std::int64_t>(kPerBackend * half);
    const Clock::time_point deadline = t1 + std::chrono::seconds(120);
    for (;;) {
        // The state is confirmed by a stats() snapshot, which at 10,000
        // backends takes milliseconds itself; the clock stops when the
        // confirming snapshot was requested, not when it was built.
        const Clock::time_point t2 = Clock::now();
        // Weighted, the added backends' share is what the rules give them.
        if (groups.removed.load() == 0 && (weighted || groups.added.load() == share)) {
            const bool done = rebalanced(pool, backends, weighted);
            const Clock::time_point t3 = Clock::now();
            if (done) return {ms_between(t0, t1), ms_between(t1, t2), ms_between(t2, t3)};
        }
        if (t2 > deadline) throw std::runtime_error("W8: pool did not rebalance within 120 s");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

}  // namespace

void run_w8(const Settings& s, Reporter& r) {
    const double delay_ms = static_cast<double>(cueball::PoolOptions{}.rebalance_delay.count());
    Result result("W8", "churn");
    double ms_1000 = 0, ms_10000 = 0;
    // The largest size needs 100,000 connections per repeat; --quick runs it once.
    const int repeats = s.quick ? 1 : s.repeats;
    struct Case {
        std::size_t backends;
        bool weighted;
    };
    for (const Case c : {Case{100, false}, Case{1'000, false}, Case{10'000, false}, Case{10'000, true}}) {
        const std::size_t backends = c.backends;
        std::vector<double> ms, burst, stats;
        for (int i = 0; i < repeats; ++i) {
            const Run run = run_once(backends, c.weighted);
            ms.push_back(run.rebalance_ms);
            burst.push_back(run.burst_ms);
            stats.push_back(run.stats_ms);
        }
        const double m = median(ms);
        const std::string n = std::to_string(backends) + (c.weighted ? "_weighted" : "");
        result.number("ms_" + n, m, 1)
            .number("ms_" + n + "_after_delay", m - delay_ms, 1)
            .number("burst_ms_" + n, median(burst), 1)
            .number("stats_ms_" + n, median(stats), 1);
        if (backends == 1'000) ms_1000 = m - delay_ms;
        if (backends == 10'000 && !c.weighted) ms_10000 = m - delay_ms;
    }
    result.number("ratio_10000_1000_after_delay", ms_1000 > 0 ? ms_10000 / ms_1000 : 0, 2)
        .number("rebalance_delay_ms", delay_ms, 0)
        .number("connections_per_backend", static_cast<double>(kPerBackend), 0)
        .number("repeats", repeats, 0);
    r.add(result);
}

}  // namespace bench
