// W6 failover: 8 threads share 12 connections over 3 backends; mid-run one
// backend dies (its connects throw, its open connections fail is_valid() and
// reset()). Reports claims that failed (must be 0) and how long after the
// kill claimers still got connections to the dead backend.
#include "harness.hpp"
#include "noop_fleet.hpp"
#include "workloads.hpp"

#include <algorithm>
#include <thread>

namespace bench {

namespace {

constexpr std::size_t kThreads = 8;
constexpr std::size_t kBackends = 3;
constexpr std::size_t kConnections = 12;
constexpr std::chrono::milliseconds kHealthCheck{100};
constexpr std::chrono::microseconds kWork{50};
// Generous: a claim may wait while the dead backend's share is reopened on
// the others, but it must never fail.
constexpr std::chrono::milliseconds kFailoverClaimTimeout{30'000};

struct alignas(64) Claimer {
    std::uint64_t claims = 0, lost = 0, bad = 0;
    Clock::time_point last_bad{};
};

struct Run {
    std::uint64_t claims = 0, lost = 0, bad_after_kill = 0;
    double recovery_ms = 0;     // kill -> last claim of a dead connection
    double claims_per_s = 0;
    std::size_t open_to_dead = 0;  // at the end of the run, from stats()
};

Run run_once(double before_kill, double after_kill) {
    NoopFleet fleet(kBackends, kBackends);
    cueball::PoolOptions options = pool_options("W6", kConnections);
    options.health_check_interval = kHealthCheck;
    NoopPool pool(options, fleet.resolver(), fleet.factory());
    wait_warm(pool, kConnections);

    std::atomic<bool> stop{false};
    std::vector<Claimer> claimers(kThreads);
    std::vector<std::thread> threads;
    const Clock::time_point t0 = Clock::now();
    for (std::size_t i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            Claimer& me = claimers[i];
            while (!stop.load(std::memory_order_relaxed)) {
                try {
                    auto handle = pool.claim(kFailoverClaimTimeout);
                    // A connection to the dead backend reached a claimer: the
                    // pool had not yet found out (its reset() fails on release).
                    if (handle->dead()) {
                        me.bad++;
                        me.last_bad = Clock::now();
                    }
                    spin_for(kWork);
                    me.claims++;
                } catch (const cueball::Error&) {
                    me.lost++;
                }
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(before_kill));
    const Clock::time_point kill = Clock::now();
    fleet.state(0).dead.store(true);
    std::this_thread::sleep_for(std::chrono::duration<double>(after_kill));
    stop.store(true);
    const Clock::time_point t1 = Clock::now();
    for (std::thread& t : threads) t.join();

    Run run;
    Clock::time_point last_bad = kill;
    for (const Claimer& c : claimers) {
        run.claims += c.claims;
        run.lost += c.lost;
        run.bad_after_kill += c.bad;
        last_bad = std::max(last_bad, c.last_bad);
    }
    run.recovery_ms = ms_between(kill, last_bad);
    run.claims_per_s = static_cast<double>(run.claims) / seconds_between(t0, t1);
    for (const cueball::BackendStats& b : pool.stats().backends) {
        if (b.key == cueball::backend_key(NoopFleet::backend(0))) run.open_to_dead = b.idle + b.claimed;
    }
    return run;
}

}  // namespace

void run_w6(const Settings& s, Reporter& r) {
    const double before_kill = std::max(0.1, s.secs / 2);
    std::vector<double> recovery, bad, rate;
    std::uint64_t lost = 0;
    std::size_t open_to_dead = 0;
    for (int i = 0; i < s.repeats; ++i) {
        const Run run = run_once(before_kill, s.secs);
        recovery.push_back(run.recovery_ms);
        bad.push_back(static_cast<double>(run.bad_after_kill));
        rate.push_back(run.claims_per_s);
        lost += run.lost;
        open_to_dead = std::max(open_to_dead, run.open_to_dead);
    }
    r.add(Result("W6", "failover")
              .number("claims_lost", static_cast<double>(lost), 0)
              .number("ms_to_last_bad_claim", median(recovery), 2)
              .number("bad_claims", median(bad), 0)
              .number("claims_per_s", median(rate), 0)
              .number("open_to_dead_at_end", static_cast<double>(open_to_dead), 0)
              .number("health_check_interval_ms", static_cast<double>(kHealthCheck.count()), 0)
              .number("threads", static_cast<double>(kThreads), 0)
              .list("runs_ms", recovery));
}

}  // namespace bench
