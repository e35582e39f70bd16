// PoolOptions: every knob of a ConnectionPool, one doc line each with its
// unit and default. ConnectionPool's constructor validates them and throws
// InvalidArgument naming the first field out of range.
#pragma once

#include <cueball/stats.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace cueball {

/// Outlier ejection from claim outcomes (off by default): a handle that is
/// discard()ed counts as a failure of its backend, one that is released as a
/// success that ends the run of failures.
struct OutlierDetection {
    /// Failures in a row that eject a backend (0 = off; at most 1,000,000).
    std::size_t consecutive_failures = 0;
    /// An ejection lasts this times the number of times the backend was
    /// ejected (which decays by one per base_ejection_time it stays in),
    /// capped at the larger of this and backoff_max (1 ms .. 1 day).
    std::chrono::milliseconds base_ejection_time{30'000};
    /// At most this fraction of the known backends (rounded down, but at
    /// least one) is ejected at once; a backend that would exceed it stays in
    /// (0 .. 1).
    double max_ejected_fraction = 0.5;
};

/// How a free connection is shared between the claims already waiting and a
/// claim that arrives now (for example the thread that just released one).
enum class FairnessMode : std::uint8_t {
    /// Waiters are served strictly in arrival order: a released connection
    /// goes to the oldest waiter, and a new claim never takes one while
    /// others wait. Each hand-off waits for the waiter's thread to run.
    strict,
    /// Like Go's sync.Mutex: while the oldest waiter has waited less than
    /// Fairness::max_wait, a new claim may take a free connection ahead of
    /// the waiters (no hand-off, so no wait for a sleeping thread); once it
    /// has waited that long, connections are handed over strictly again.
    bounded,
};

struct Fairness {
    FairnessMode mode = FairnessMode::strict;
    /// bounded: how long the oldest waiter may be passed over (1 us .. 1 h).
    std::chrono::microseconds max_wait{1'000};
};

struct PoolOptions {
    /// Shown in logs, stats, probes and error messages. Must not be empty.
    std::string name = "cueball";
    /// Connections kept open across all backends (1 .. 1,000,000).
    std::size_t max_connections = 10;
    /// Used by claim() without an argument.
    std::chrono::milliseconds claim_timeout{30'000};
    /// Debounce of resolver events: they are applied after this much quiet.
    std::chrono::milliseconds rebalance_delay{100};
    /// Resolver events that keep coming more often than rebalance_delay are
    /// applied anyway once the oldest has waited this long, so that endless
    /// churn cannot starve the rebalancer. 0 = ten times rebalance_delay;
    /// otherwise at least rebalance_delay.
    std::chrono::milliseconds rebalance_max_delay{0};
    /// Period of the idle-queue shuffle; 0 = never shuffle.
    std::chrono::milliseconds decoherence_interval{300'000};
    /// Period of is_valid() checks on idle connections; 0 = none.
    std::chrono::milliseconds health_check_interval{30'000};
    /// A connect() still running after this counts as a failed connect (the
    /// backend backs off); its connection is closed when connect() returns.
    /// Give the connection its own timeout too (TcpOptions, PostgresOptions):
    /// the pool cannot interrupt a blocking connect().
    std::chrono::milliseconds connect_timeout{10'000};
    /// Delay before the first retry of a backend that failed to connect.
    std::chrono::milliseconds backoff_initial{100};
    /// Longest delay between retries of a failing backend.
    std::chrono::milliseconds backoff_max{10'000};
    /// Each consecutive failure multiplies the delay by this (>= 1.0).
    double backoff_multiplier = 2.0;
    /// Up to this fraction of each delay is taken off at random (0 .. 1), so
    /// that pools restarted together do not retry in lock step.
    double backoff_jitter = 0.2;
    /// Worker threads that run connect(), close() and is_valid() (1 .. 1024).
    std::size_t connector_threads = 4;
    /// Workers one backend may occupy at once (>= 1), so that a slow or
    /// unreachable backend cannot take every worker from the others.
    std::size_t connects_per_backend = 2;
    /// Where the pool logs; null = stderr, warnings and errors only. Nothing
    /// is logged per claim at any level.
    std::shared_ptr<spdlog::logger> logger;

    // ---- production features; the defaults keep a fixed-size pool that waits.

    /// After this many failed connects in a row a backend is dead: it keeps
    /// one probe at backoff_max. When every backend is dead the pool is
    /// failed and claims throw NoBackendsAvailable at once. 0 = never dead.
    std::size_t dead_after_failures = 5;
    /// claim() on a running pool with no backends throws NoBackendsAvailable
    /// at once instead of waiting (node-cueball's errorOnEmpty). Per call:
    /// ClaimOptions::fail_fast.
    bool fail_fast = false;
    /// Called on each change of PoolState, from a pool thread (the rebalancer,
    /// or the one calling stop()), never with the pool's lock held, one call
    /// at a time. Must not call stop() or destroy the pool.
    std::function<void(PoolState from, PoolState to)> on_state_change;
    /// Dynamic sizing: with spares > 0 the pool keeps claimed + waiting +
    /// spares connections open (never more than max_connections), grows at
    /// once under load and shrinks after idle_timeout of lower demand.
    /// 0 = fixed at max_connections.
    std::size_t spares = 0;
    /// With spares: how long demand must stay lower before the pool shrinks.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Connections older than this (less up to 10% at random, so they do not
    /// all expire together) are closed when idle or on release, and
    /// replaced. 0 = no limit.
    std::chrono::milliseconds max_lifetime{0};
    /// Run is_valid() on the claiming thread before handing a connection
    /// out, unless it was used within validation_bypass_window. A connection
    /// that fails is closed and the claimer gets another, keeping its place.
    bool validate_on_claim = false;
    std::chrono::milliseconds validation_bypass_window{500};
    /// Log (once) and count claims held longer than this, with the call site
    /// of claim(); stats list the oldest outstanding claims. 0 = off.
    std::chrono::milliseconds claim_warning_threshold{0};
    /// At most this many connects per second per backend (a token bucket of
    /// one second), so a flapping backend or a mass rebalance cannot open a
    /// storm of connections. 0 = no limit.
    double max_churn_rate = 0.0;
    /// Ejection of backends whose claimers keep discarding their connections.
    OutlierDetection outlier_detection;
    /// Strict FIFO (the default), or bounded unfairness for throughput.
    Fairness fairness;
    /// How long handles are held (use_time in stats) is measured for one
    /// claim in this many, so that most claims read no clock: 1 = every
    /// claim, 0 = none; rounded up to a power of two (0 .. 65536). Claims
    /// held past claim_warning_threshold are timed whatever this says.
    std::uint32_t use_time_sample = 64;
};

}  // namespace cueball
