#include <cueball/stats.hpp>

#include <algorithm>

namespace cueball {

const char* to_string(BackendState state) {
    switch (state) {
        case BackendState::Connecting: return "connecting";
        case BackendState::Online: return "online";
        case BackendState::Failing: return "failing";
        case BackendState::Dead: return "dead";
        case BackendState::Draining: return "draining";
    }
    return "unknown";
}

const char* to_string(PoolState state) {
    switch (state) {
        case PoolState::Starting: return "starting";
        case PoolState::Running: return "running";
        case PoolState::Failed: return "failed";
        case PoolState::Stopping: return "stopping";
        case PoolState::Stopped: return "stopped";
    }
    return "unknown";
}

std::uint64_t WaitHistogram::count() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : counts) n += c;
    return n;
}

void WaitHistogram::record(std::chrono::nanoseconds wait) {
    auto it = std::lower_bound(bounds.begin(), bounds.end(), wait);
    ++counts[static_cast<std::size_t>(it - bounds.begin())];
    sum += wait;
}

std::chrono::microseconds WaitHistogram::quantile(double q) const {
    const std::uint64_t n = count();
    if (n == 0) return std::chrono::microseconds(0);
    const auto rank = static_cast<std::uint64_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(n - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        seen += counts[i];
        if (seen >= rank) return bounds[i];
    }
    return bounds.back();
}

Counters& Counters::operator+=(const Counters& o) {
    claims += o.claims;
    claim_timeouts += o.claim_timeouts;
    connects += o.connects;
    connect_failures += o.connect_failures;
    health_check_failures += o.health_check_failures;
    resets_failed += o.resets_failed;
    discards += o.discards;
    claims_cancelled += o.claims_cancelled;
    claims_failed_fast += o.claims_failed_fast;
    long_claims += o.long_claims;
    expired += o.expired;
    validations_failed += o.validations_failed;
    churn_delays += o.churn_delays;
    return *this;
}

WaitHistogram& WaitHistogram::operator+=(const WaitHistogram& o) {
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
    sum += o.sum;
    return *this;
}

WaitHistogram WaitHistogram::since(const WaitHistogram& earlier) const {
    WaitHistogram d;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        d.counts[i] = counts[i] >= earlier.counts[i] ? counts[i] - earlier.counts[i] : 0;
    }
    d.sum = sum >= earlier.sum ? sum - earlier.sum : std::chrono::nanoseconds(0);
    return d;
}

}  // namespace cueball
