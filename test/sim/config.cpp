#include "config.hpp"
#include "random.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

namespace cueball::sim {

namespace {

using std::chrono::milliseconds;

milliseconds ms(Rng& rng, std::uint64_t lo, std::uint64_t hi) {
    return milliseconds(static_cast<milliseconds::rep>(rng.between(lo, hi)));
}

}  // namespace

SimConfig make_config(std::uint64_t seed) {
    // Its own stream, so that the generator's draws do not shift the options.
    Rng rng(seed ^ 0x5eed0f0c0ffee5ULL);
    SimConfig c;
    c.seed = seed;
    c.backends = static_cast<std::uint32_t>(rng.between(1, 6));
    c.varied_priority = rng.percent(40);
    PoolOptions& o = c.options;
    o.name = "sim";
    o.max_connections = rng.between(1, 8);
    c.load = rng.between(1, 3 * o.max_connections);
    o.claim_timeout = ms(rng, 5, 100);
    o.rebalance_delay = ms(rng, 0, 20);
    o.rebalance_max_delay = rng.percent(50) ? milliseconds(0) : o.rebalance_delay + ms(rng, 1, 50);
    o.decoherence_interval = rng.percent(50) ? milliseconds(0) : ms(rng, 10, 200);
    o.health_check_interval = rng.percent(20) ? milliseconds(0) : ms(rng, 10, 200);
    o.connect_timeout = ms(rng, 5, 50);
    o.backoff_initial = ms(rng, 1, 10);
    o.backoff_max = o.backoff_initial + ms(rng, 0, 100);
    o.backoff_multiplier = 1.0 + rng.unit() * 2.0;
    o.backoff_jitter = rng.unit() * 0.5;
    o.connector_threads = rng.between(1, 4);
    o.connects_per_backend = rng.between(1, 2);
    o.dead_after_failures = rng.between(0, 5);
    o.fail_fast = rng.percent(30);
    o.use_time_sample = static_cast<std::uint32_t>(rng.between(0, 4));
    if (rng.percent(60)) {
        // A plain pool: the claim and release fast path.
        o.fairness.mode = rng.percent(80) ? FairnessMode::strict : FairnessMode::bounded;
    } else {
        if (rng.percent(30)) o.spares = rng.between(1, o.max_connections);
        o.idle_timeout = ms(rng, 10, 200);
        if (rng.percent(30)) o.max_lifetime = ms(rng, 50, 500);
        o.validate_on_claim = rng.percent(30);
        o.validation_bypass_window = ms(rng, 0, 20);
        if (rng.percent(30)) o.claim_warning_threshold = ms(rng, 10, 100);
        if (rng.percent(30)) o.max_churn_rate = 20.0 + rng.unit() * 200.0;
        if (rng.percent(30)) {
            o.outlier_detection.consecutive_failures = rng.between(1, 4);
            o.outlier_detection.base_ejection_time = ms(rng, 10, 100);
            o.outlier_detection.max_ejected_fraction = rng.unit();
        }
        o.fairness.mode = rng.percent(70) ? FairnessMode::strict : FairnessMode::bounded;
    }
    o.fairness.max_wait = std::chrono::microseconds(rng.between(100, 5000));
    if (rng.percent(50)) o.on_state_change = [](PoolState, PoolState) {};
    // Long enough for every timer to fire a few times: backoff of dead
    // backends, ejections, shrinking with spares, the debounce, connects that
    // hang, and the churn limit's refill of the whole pool.
    const milliseconds ejection =
        o.outlier_detection.consecutive_failures > 0 ? o.outlier_detection.base_ejection_time * 8 : milliseconds(0);
    const milliseconds shrink = o.spares > 0 ? o.idle_timeout : milliseconds(0);
    const milliseconds longest = std::max({o.backoff_max, ejection, shrink, o.rebalance_delay * 10,
                                           o.rebalance_max_delay, o.connect_timeout * 2, milliseconds(100)});
    c.settle = longest * 6 + (o.max_churn_rate > 0 ? milliseconds(2'000) : milliseconds(0));
    return c;
}

std::string describe(const SimConfig& c) {
    const PoolOptions& o = c.options;
    return fmt::format(
        "{} backends{}, load {}, max_connections {}, spares {}, connector_threads {}, connects_per_backend {}, "
        "rebalance_delay {} ms (max {} ms), connect_timeout {} ms, backoff {}..{} ms, dead_after_failures {}, "
        "health checks {} ms, decoherence {} ms, lifetime {} ms, validate_on_claim {}, churn {:.0f}/s, "
        "outlier ejection after {}, fairness {}, fail_fast {}",
        c.backends, c.varied_priority ? " (varied priority and weight)" : "", c.load, o.max_connections, o.spares,
        o.connector_threads, o.connects_per_backend, o.rebalance_delay.count(), o.rebalance_max_delay.count(),
        o.connect_timeout.count(), o.backoff_initial.count(), o.backoff_max.count(), o.dead_after_failures,
        o.health_check_interval.count(), o.decoherence_interval.count(), o.max_lifetime.count(),
        o.validate_on_claim, o.max_churn_rate, o.outlier_detection.consecutive_failures,
        o.fairness.mode == FairnessMode::strict ? "strict" : "bounded", o.fail_fast);
}

}  // namespace cueball::sim
