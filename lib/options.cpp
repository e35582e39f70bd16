// Validation of PoolOptions: every field checked at construction, with a
// message that names the field, the value and the accepted range.
#include "pool_core.hpp"

#include <cueball/errors.hpp>

#include <spdlog/fmt/fmt.h>

namespace cueball::detail {

namespace {

[[noreturn]] void bad(const PoolOptions& o, const char* field, const std::string& why) {
    throw InvalidArgument(fmt::format("cueball pool '{}': PoolOptions::{} {}", o.name, field, why));
}

void non_negative(const PoolOptions& o, const char* field, std::chrono::milliseconds d) {
    if (d.count() < 0) bad(o, field, fmt::format("must not be negative (got {} ms)", d.count()));
}

}  // namespace

void validate_options(const PoolOptions& o) {
    if (o.name.empty()) throw InvalidArgument("cueball: PoolOptions::name must not be empty");
    if (o.max_connections < 1 || o.max_connections > 1'000'000) {
        bad(o, "max_connections", fmt::format("must be 1 .. 1000000 (got {})", o.max_connections));
    }
    non_negative(o, "claim_timeout", o.claim_timeout);
    non_negative(o, "rebalance_delay", o.rebalance_delay);
    non_negative(o, "decoherence_interval", o.decoherence_interval);
    non_negative(o, "health_check_interval", o.health_check_interval);
    if (o.connect_timeout.count() <= 0) {
        bad(o, "connect_timeout", fmt::format("must be positive (got {} ms)", o.connect_timeout.count()));
    }
    if (o.backoff_initial.count() <= 0) {
        bad(o, "backoff_initial", fmt::format("must be positive (got {} ms)", o.backoff_initial.count()));
    }
    if (o.backoff_max < o.backoff_initial) {
        bad(o, "backoff_max",
            fmt::format("must be at least backoff_initial ({} ms < {} ms)", o.backoff_max.count(),
                        o.backoff_initial.count()));
    }
    if (!(o.backoff_multiplier >= 1.0 && o.backoff_multiplier <= 1000.0)) {
        bad(o, "backoff_multiplier", fmt::format("must be 1 .. 1000 (got {})", o.backoff_multiplier));
    }
    if (!(o.backoff_jitter >= 0.0 && o.backoff_jitter <= 1.0)) {
        bad(o, "backoff_jitter", fmt::format("must be 0 .. 1 (got {})", o.backoff_jitter));
    }
    if (o.connector_threads < 1 || o.connector_threads > 1024) {
        bad(o, "connector_threads", fmt::format("must be 1 .. 1024 (got {})", o.connector_threads));
    }
    non_negative(o, "idle_timeout", o.idle_timeout);
    non_negative(o, "max_lifetime", o.max_lifetime);
    non_negative(o, "validation_bypass_window", o.validation_bypass_window);
    non_negative(o, "claim_warning_threshold", o.claim_warning_threshold);
    if (!(o.max_churn_rate >= 0.0 && o.max_churn_rate <= 1e9)) {
        bad(o, "max_churn_rate", fmt::format("must be 0 (no limit) .. 1e9 connects/s (got {})", o.max_churn_rate));
    }
    if (o.spares > o.max_connections) {
        bad(o, "spares", fmt::format("must not exceed max_connections ({} > {})", o.spares, o.max_connections));
    }
    if (o.connects_per_backend < 1) {
        bad(o, "connects_per_backend", fmt::format("must be at least 1 (got {})", o.connects_per_backend));
    }
}

}  // namespace cueball::detail
