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
        case BackendState::Ejected: return "ejected";
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
    ejections += o.ejections;
    return *this;
}

}  // namespace cueball
