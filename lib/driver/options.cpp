// Validation of PoolOptions: every field checked at construction, with a
// message that names the field, the value and the accepted range. Durations
// without an upper bound here are safe at any size: the pool's time
// arithmetic saturates (rules/time.hpp), so max() means "never".
#include "pool_core.hpp"

#include <cueball/errors.hpp>

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace cueball::detail {

namespace {

using std::chrono::milliseconds;
constexpr milliseconds kHour{3'600'000};
constexpr milliseconds kDay{86'400'000};
constexpr milliseconds kUnbounded = milliseconds::max();

[[noreturn]] void bad(const PoolOptions& o, const char* field, const std::string& why) {
    throw InvalidArgument(fmt::format("cueball pool '{}': PoolOptions::{} {}", o.name, field, why));
}

std::string show(milliseconds d) { return d == kUnbounded ? "milliseconds::max()" : fmt::format("{} ms", d.count()); }

// `lo_name` names the lower bound when it is another option.
void in_range(const PoolOptions& o, const char* field, milliseconds d, milliseconds lo, milliseconds hi,
              const char* lo_name = nullptr) {
    if (d >= lo && d <= hi) return;
    const std::string accepted = fmt::format("accepted: {} .. {}", show(lo), show(hi));
    if (d > hi) bad(o, field, fmt::format("must be at most {} (got {}); {}", show(hi), show(d), accepted));
    if (lo_name != nullptr) {
        bad(o, field, fmt::format("must be at least {} ({} < {}); {}", lo_name, show(d), show(lo), accepted));
    }
    const char* rule = lo.count() == 0 ? "must not be negative" : lo.count() == 1 ? "must be positive" : "is too short";
    bad(o, field, fmt::format("{} (got {}); {}", rule, show(d), accepted));
}

void ratio(const PoolOptions& o, const char* field, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) bad(o, field, fmt::format("must be {} .. {} (got {})", lo, hi, v));
}

}  // namespace

void validate_options(const PoolOptions& o) {
    if (o.name.empty()) throw InvalidArgument("cueball: PoolOptions::name must not be empty");
    if (o.max_connections < 1 || o.max_connections > 1'000'000) {
        bad(o, "max_connections", fmt::format("must be 1 .. 1000000 (got {})", o.max_connections));
    }
    in_range(o, "claim_timeout", o.claim_timeout, milliseconds(0), kUnbounded);
    in_range(o, "rebalance_delay", o.rebalance_delay, milliseconds(0), kHour);
    if (o.rebalance_max_delay.count() != 0) {
        in_range(o, "rebalance_max_delay", o.rebalance_max_delay, std::max(o.rebalance_delay, milliseconds(1)), kDay,
                 "rebalance_delay");
    }
    in_range(o, "decoherence_interval", o.decoherence_interval, milliseconds(0), kUnbounded);
    in_range(o, "health_check_interval", o.health_check_interval, milliseconds(0), kUnbounded);
    in_range(o, "connect_timeout", o.connect_timeout, milliseconds(1), kUnbounded);
    in_range(o, "backoff_initial", o.backoff_initial, milliseconds(1), kHour);
    in_range(o, "backoff_max", o.backoff_max, o.backoff_initial, kDay, "backoff_initial");
    ratio(o, "backoff_multiplier", o.backoff_multiplier, 1.0, 1000.0);
    ratio(o, "backoff_jitter", o.backoff_jitter, 0.0, 1.0);
    if (o.connector_threads < 1 || o.connector_threads > 1024) {
        bad(o, "connector_threads", fmt::format("must be 1 .. 1024 (got {})", o.connector_threads));
    }
    if (o.connects_per_backend < 1 || o.connects_per_backend > 1024) {
        bad(o, "connects_per_backend", fmt::format("must be at least 1 and at most 1024 (got {})", o.connects_per_backend));
    }
    in_range(o, "idle_timeout", o.idle_timeout, milliseconds(0), kUnbounded);
    in_range(o, "max_lifetime", o.max_lifetime, milliseconds(0), kUnbounded);
    in_range(o, "validation_bypass_window", o.validation_bypass_window, milliseconds(0), kUnbounded);
    in_range(o, "claim_warning_threshold", o.claim_warning_threshold, milliseconds(0), kUnbounded);
    if (!(o.max_churn_rate >= 0.0 && o.max_churn_rate <= 1e9)) {
        bad(o, "max_churn_rate", fmt::format("must be 0 (no limit) .. 1e9 connects/s (got {})", o.max_churn_rate));
    }
    if (o.spares > o.max_connections) {
        bad(o, "spares", fmt::format("must not exceed max_connections ({} > {})", o.spares, o.max_connections));
    }
    const OutlierDetection& od = o.outlier_detection;
    if (od.consecutive_failures > 1'000'000) {
        bad(o, "outlier_detection.consecutive_failures",
            fmt::format("must be 0 (off) .. 1000000 (got {})", od.consecutive_failures));
    }
    in_range(o, "outlier_detection.base_ejection_time", od.base_ejection_time, milliseconds(1), kDay);
    ratio(o, "outlier_detection.max_ejected_fraction", od.max_ejected_fraction, 0.0, 1.0);
    if (o.use_time_sample > 65'536) {
        bad(o, "use_time_sample", fmt::format("must be 0 (off) .. 65536 (got {})", o.use_time_sample));
    }
    if (o.fairness.mode != FairnessMode::strict && o.fairness.mode != FairnessMode::bounded) {
        bad(o, "fairness.mode", "must be FairnessMode::strict or FairnessMode::bounded");
    }
    if (o.fairness.max_wait < std::chrono::microseconds(1) || o.fairness.max_wait > std::chrono::hours(1)) {
        bad(o, "fairness.max_wait", fmt::format("must be 1 us .. 3600000000 us (got {} us)", o.fairness.max_wait.count()));
    }
}

}  // namespace cueball::detail
