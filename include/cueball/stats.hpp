// Statistics: plain structs, filled by ConnectionPool::stats() from the
// pool's containers and counters under its lock, so the numbers always agree
// with each other at the moment they were taken. Rendering them (JSON,
// Prometheus text) is separate: <cueball/stats_format.hpp>.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/export.hpp>
#include <cueball/histogram.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cueball {

/// What the pool thinks of a backend. (The pool relies on the order: the
/// states from Draining on keep no free connection.)
enum class BackendState : std::uint8_t {
    Connecting,  ///< added, no connect has finished yet
    Online,      ///< its last connect succeeded
    Failing,     ///< its last connect failed; retried at the backoff schedule
    Dead,        ///< dead_after_failures connects failed in a row; probed at backoff_max
    Draining,    ///< removed by the resolver; claimed connections still out
    Ejected,     ///< outlier detection took it out after failed claims; readmitted later
};
CUEBALL_EXPORT const char* to_string(BackendState state);

/// The pool's own state.
enum class PoolState : std::uint8_t {
    Starting,  ///< the first resolver events are not applied yet
    Running,   ///< serving claims
    Failed,    ///< every known backend is dead: claims fail at once with NoBackendsAvailable
    Stopping,  ///< stop() has begun
    Stopped,   ///< stop() has finished
};
CUEBALL_EXPORT const char* to_string(PoolState state);

/// Where a claim was made, from std::source_location.
struct CallSite {
    const char* file = "";
    const char* function = "";
    std::uint32_t line = 0;
};

/// A claim still held, for PoolStats::oldest_claims.
struct OutstandingClaim {
    std::uint64_t claim_id = 0;
    BackendKey backend;
    std::chrono::milliseconds age{0};
    CallSite site;
};

/// Event counts since the pool started (or, per backend, since it was added).
struct Counters {
    std::uint64_t claims = 0;                 ///< successful claims
    std::uint64_t claim_timeouts = 0;         ///< ClaimTimeout thrown (pool only)
    std::uint64_t connects = 0;               ///< successful connects
    std::uint64_t connect_failures = 0;       ///< failed or timed-out connects
    std::uint64_t health_check_failures = 0;  ///< is_valid() false or throwing
    std::uint64_t resets_failed = 0;          ///< reset() false or throwing
    std::uint64_t discards = 0;               ///< PoolHandle::discard()
    std::uint64_t claims_cancelled = 0;       ///< ClaimCancelled thrown (pool only)
    std::uint64_t claims_failed_fast = 0;     ///< NoBackendsAvailable thrown (pool only)
    std::uint64_t long_claims = 0;            ///< claims held past claim_warning_threshold
    std::uint64_t expired = 0;                ///< connections closed at max_lifetime
    std::uint64_t validations_failed = 0;     ///< validate_on_claim found a bad connection
    std::uint64_t churn_delays = 0;           ///< connects held back by max_churn_rate
    std::uint64_t ejections = 0;              ///< times outlier detection ejected a backend

    /// Adds another set (for totals over backends or pools).
    CUEBALL_EXPORT Counters& operator+=(const Counters& other);
};

/// The histogram type of 0.1's claim_wait, now log-linear (see histogram.hpp).
using WaitHistogram = LatencyHistogram;

struct BackendStats {
    BackendKey key;
    Backend backend;
    std::size_t idle = 0, claimed = 0, connecting = 0;
    std::uint64_t connect_failures = 0;      ///< since the backend was added
    BackendState state = BackendState::Connecting;
    std::size_t target = 0;                  ///< connections the rebalancer wants open here
    std::uint64_t consecutive_failures = 0;  ///< 0 unless failing
    /// While failing: time until the next connect attempt (0 = due now).
    std::optional<std::chrono::milliseconds> retry_in;
    /// While ejected: time until it is readmitted.
    std::optional<std::chrono::milliseconds> ejected_for;
    std::string last_error;                  ///< last connect failure, empty if none
    Counters counters;                       ///< since added; claim_timeouts stays 0
    LatencyHistogram claim_wait;             ///< waits of claims served from this backend
    LatencyHistogram use_time;               ///< how long handles were held, claim to release
    LatencyHistogram create_time;            ///< how long successful connects took
};

struct PoolStats {
    std::string name;                     ///< PoolOptions::name
    PoolState state = PoolState::Starting;
    std::size_t max_connections = 0;
    std::size_t target_connections = 0;   ///< what the pool keeps open now (< max with spares)
    std::size_t total_connections = 0;    ///< open: idle + claimed
    std::size_t idle_connections = 0;     ///< open and not claimed (includes those being health-checked)
    std::size_t claimed_connections = 0;
    std::size_t pending_connections = 0;  ///< connecting
    std::size_t waiters = 0;              ///< threads blocked in claim()
    Counters counters;                    ///< since the pool started
    LatencyHistogram claim_wait;          ///< how long claims waited (0 for those served at once)
    LatencyHistogram use_time;            ///< how long handles were held, claim to release
    LatencyHistogram create_time;         ///< how long successful connects took
    std::vector<BackendStats> backends;   ///< ordered by key
    /// Up to 5 claims held longest, oldest first (only with claim_warning_threshold set).
    std::vector<OutstandingClaim> oldest_claims;
};

}  // namespace cueball
