// W1-W5: claim/release throughput and wake-up latency over no-I/O
// connections, measured the way the reference floor measures its pools so
// that the two sets of lines compare as ratios.
#include "harness.hpp"
#include "noop_fleet.hpp"
#include "workloads.hpp"

namespace bench {

namespace {

struct Shape {
    const char* id;
    const char* name;
    std::size_t max_connections;
    std::size_t backends;
};

// Runs `once(secs)` for the warm-up and then `repeats` times.
template <class Once>
std::vector<Sample> repeat(const Settings& s, Once once) {
    once(s.warm);
    std::vector<Sample> samples;
    for (int i = 0; i < s.repeats; ++i) samples.push_back(once(s.secs));
    return samples;
}

// Waits past 1 ms (the bounded workloads' max_wait) and past 2 ms are
// counted in both modes: what the scheduler adds when 8 threads share fewer
// cores shows in strict mode too.
constexpr std::uint32_t kOneMs = 1'000'000;

// The tail of the claim waits, per repeat: p99.9, the longest, and how many
// in a million waited over 1 ms and over 2 ms.
struct WaitTails {
    std::vector<double> p999, max, over1, over2;

    void add(std::vector<std::uint32_t>& waits_ns) {
        p999.push_back(percentile_us(waits_ns, 0.999));
        max.push_back(percentile_us(waits_ns, 1.0));
        over1.push_back(per_million_over(waits_ns, kOneMs));
        over2.push_back(per_million_over(waits_ns, 2 * kOneMs));
    }
    void report(Result& result) const {
        result.number("p999_us", median(p999), 1)
            .number("max_us", median(max), 1)
            .number("over_1ms_per_million", median(over1), 1)
            .number("over_2ms_per_million", median(over2), 1);
    }
};

// The bounded workloads' fairness: FairnessMode::bounded with its default
// max_wait (1 ms).
cueball::Fairness bounded_fairness() {
    cueball::Fairness f;
    f.mode = cueball::FairnessMode::bounded;
    return f;
}

// CPU time (all threads, spinning included) per claim made.
double cpu_ns_per_claim(const Sample& x) {
    return x.ops == 0 ? 0 : x.cpu_secs * 1e9 / static_cast<double>(x.ops);
}

// W1 and W4: one thread, claims in batches of 1024 between clock reads.
void single_thread(const Settings& s, Reporter& r, const Shape& shape) {
    NoopFleet fleet(shape.backends, shape.backends);
    NoopPool pool(pool_options(shape.id, shape.max_connections), fleet.resolver(), fleet.factory());
    wait_warm(pool, shape.max_connections);
    auto samples = repeat(s, [&](double secs) {
        return run_batches(secs, 1024, [&] {
            for (int i = 0; i < 1024; ++i) {
                auto handle = pool.claim(kClaimTimeout);
                sink(&*handle);
            }
        });
    });
    std::vector<double> ns_per_op, rate;
    for (const Sample& x : samples) {
        ns_per_op.push_back(x.secs * 1e9 / static_cast<double>(x.ops));
        rate.push_back(static_cast<double>(x.ops) / x.secs);
    }
    r.add(Result(shape.id, shape.name)
              .number("ns_per_op", median(ns_per_op))
              .number("claims_per_s", median(rate), 0)
              .number("threads", 1, 0)
              .number("max_connections", static_cast<double>(shape.max_connections), 0)
              .number("backends", static_cast<double>(shape.backends), 0)
              .list("runs_ns", ns_per_op));
}

}  // namespace

void run_w1(const Settings& s, Reporter& r) { single_thread(s, r, {"W1", "uncontended", 8, 2}); }

void run_w4(const Settings& s, Reporter& r) { single_thread(s, r, {"W4", "large_pool", 10'000, 100}); }

namespace {

// W2 and W2B: eight threads over four connections, each holding its
// connection for 1 us of busy work.
void oversubscribed(const Settings& s, Reporter& r, const char* id, const char* name, cueball::Fairness fairness) {
    NoopFleet fleet(2, 2);
    cueball::PoolOptions options = pool_options(id, 4);
    options.fairness = fairness;
    NoopPool pool(options, fleet.resolver(), fleet.factory());
    wait_warm(pool, 4);
    auto samples = repeat(s, [&](double secs) {
        return run_threads(8, secs, [&](int, const std::atomic<bool>& stop, ThreadStats& st) {
            st.waits_ns.reserve(1 << 20);
            while (!stop.load(std::memory_order_relaxed)) {
                const Clock::time_point a = Clock::now();
                auto handle = pool.claim(kClaimTimeout);
                const Clock::time_point b = Clock::now();
                spin_for(ns(1000));
                handle.release();
                st.waits_ns.push_back(static_cast<std::uint32_t>(std::chrono::duration_cast<ns>(b - a).count()));
                st.ops++;
            }
        });
    });
    std::vector<double> rate, p50, p99, cpu;
    WaitTails tails;
    for (Sample& x : samples) {
        rate.push_back(static_cast<double>(x.ops) / x.secs);
        cpu.push_back(cpu_ns_per_claim(x));
        p50.push_back(percentile_us(x.waits_ns, 0.50));
        p99.push_back(percentile_us(x.waits_ns, 0.99));
        tails.add(x.waits_ns);
    }
    Result result(id, name);
    result.number("claims_per_s", median(rate), 0).number("p50_us", median(p50), 2).number("p99_us", median(p99), 2);
    tails.report(result);
    result.number("cpu_ns_per_claim", median(cpu), 0)
        .number("threads", 8, 0);
    if (fairness.mode == cueball::FairnessMode::bounded) {
        result.number("fairness_max_wait_us", static_cast<double>(fairness.max_wait.count()), 0);
    }
    r.add(result.list("runs_claims", rate).list("runs_p99_us", p99).list("runs_max_us", tails.max));
}

}  // namespace

void run_w2(const Settings& s, Reporter& r) { oversubscribed(s, r, "W2", "oversubscribed", cueball::Fairness{}); }

void run_w2b(const Settings& s, Reporter& r) {
    oversubscribed(s, r, "W2B", "oversubscribed_bounded", bounded_fairness());
}

void run_w3(const Settings& s, Reporter& r) {
    NoopFleet fleet(2, 2);
    NoopPool pool(pool_options("W3", 16), fleet.resolver(), fleet.factory());
    wait_warm(pool, 16);
    auto samples = repeat(s, [&](double secs) {
        return run_threads(2, secs, [&](int, const std::atomic<bool>& stop, ThreadStats& st) {
            while (!stop.load(std::memory_order_relaxed)) {
                auto handle = pool.claim(kClaimTimeout);
                sink(&*handle);
                st.ops++;
            }
        });
    });
    std::vector<double> rate;
    for (const Sample& x : samples) rate.push_back(static_cast<double>(x.ops) / x.secs);
    r.add(Result("W3", "ample").number("claims_per_s", median(rate), 0).number("threads", 2, 0).list("runs_claims", rate));
}

namespace {

// W5 and W5B: two threads over one connection. W5B also times each claim,
// to show bounded fairness's max_wait where the scheduler does not decide
// the tail (two threads on two cores).
void handoff(const Settings& s, Reporter& r, const char* id, const char* name, cueball::Fairness fairness) {
    const bool timed = fairness.mode == cueball::FairnessMode::bounded;
    NoopFleet fleet(1, 1);
    cueball::PoolOptions options = pool_options(id, 1);
    options.fairness = fairness;
    NoopPool pool(options, fleet.resolver(), fleet.factory());
    wait_warm(pool, 1);
    // A hand-off is a claim whose previous holder was the other thread.
    auto samples = repeat(s, [&](double secs) {
        return run_threads(2, secs, [&](int me, const std::atomic<bool>& stop, ThreadStats& st) {
            if (timed) st.waits_ns.reserve(1 << 22);
            while (!stop.load(std::memory_order_relaxed)) {
                const Clock::time_point a = timed ? Clock::now() : Clock::time_point{};
                auto handle = pool.claim(kClaimTimeout);
                if (timed) {
                    st.waits_ns.push_back(static_cast<std::uint32_t>(
                        std::chrono::duration_cast<ns>(Clock::now() - a).count()));
                }
                if (handle->owner != me) {
                    handle->owner = me;
                    st.handoffs++;
                }
                st.ops++;
            }
        });
    });
    std::vector<double> handoffs, rate, cpu;
    WaitTails tails;
    for (Sample& x : samples) {
        handoffs.push_back(static_cast<double>(x.handoffs) / x.secs);
        rate.push_back(static_cast<double>(x.ops) / x.secs);
        cpu.push_back(cpu_ns_per_claim(x));
        tails.add(x.waits_ns);
    }
    Result result(id, name);
    result.number("handoffs_per_s", median(handoffs), 0)
        .number("claims_per_s", median(rate), 0)
        .number("cpu_ns_per_claim", median(cpu), 0)
        .number("threads", 2, 0);
    if (timed) {
        tails.report(result);
        result.number("fairness_max_wait_us", static_cast<double>(fairness.max_wait.count()), 0)
            .list("runs_max_us", tails.max);
    }
    r.add(result.list("runs_handoffs", handoffs));
}

}  // namespace

void run_w5(const Settings& s, Reporter& r) { handoff(s, r, "W5", "handoff", cueball::Fairness{}); }

void run_w5b(const Settings& s, Reporter& r) { handoff(s, r, "W5B", "handoff_bounded", bounded_fairness()); }

}  // namespace bench

namespace bench {

// W10: one thread claims and releases while another polls stats() as fast
// as it can, over 10,000 backends: how long can a claim wait on stats()?
void run_w10(const Settings& s, Reporter& r) {
    constexpr std::size_t kBackends = 10'000;
    NoopFleet fleet(kBackends, kBackends);
    NoopPool pool(pool_options("W10", kBackends), fleet.resolver(), fleet.factory());
    wait_warm(pool, kBackends);
    std::atomic<std::uint64_t> polls{0};
    auto samples = repeat(s, [&](double secs) {
        return run_threads(2, secs, [&](int me, const std::atomic<bool>& stop, ThreadStats& st) {
            if (me == 1) {
                while (!stop.load(std::memory_order_relaxed)) {
                    const cueball::PoolStats snapshot = pool.stats();
                    sink(&snapshot);
                    polls.fetch_add(1, std::memory_order_relaxed);
                }
                return;
            }
            st.waits_ns.reserve(1 << 22);
            while (!stop.load(std::memory_order_relaxed)) {
                const Clock::time_point a = Clock::now();
                auto handle = pool.claim(kClaimTimeout);
                const Clock::time_point b = Clock::now();
                sink(&*handle);
                st.waits_ns.push_back(static_cast<std::uint32_t>(std::chrono::duration_cast<ns>(b - a).count()));
                st.ops++;
            }
        });
    });
    std::vector<double> rate, p99, max;
    for (Sample& x : samples) {
        rate.push_back(static_cast<double>(x.ops) / x.secs);
        p99.push_back(percentile_us(x.waits_ns, 0.99));
        max.push_back(percentile_us(x.waits_ns, 1.0));
    }
    const double total_secs = s.warm + s.secs * s.repeats;
    r.add(Result("W10", "stats_poll")
              .number("claims_per_s", median(rate), 0)
              .number("claim_p99_us", median(p99), 2)
              .number("claim_max_us", median(max), 1)
              .number("stats_per_s", static_cast<double>(polls.load()) / total_secs, 0)
              .number("backends", static_cast<double>(kBackends), 0)
              .list("runs_max_us", max));
}

}  // namespace bench
