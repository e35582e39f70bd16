// PoolOptions: every knob of a ConnectionPool, one doc line each with its
// unit and default. ConnectionPool's constructor validates them and throws
// InvalidArgument naming the first field out of range.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace cueball {

struct PoolOptions {
    /// Shown in logs, stats, probes and error messages. Must not be empty.
    std::string name = "cueball";
    /// Connections kept open across all backends (1 .. 1,000,000).
    std::size_t max_connections = 10;
    /// Used by claim() without an argument.
    std::chrono::milliseconds claim_timeout{30'000};
    /// Debounce of resolver events: they are applied after this much quiet.
    std::chrono::milliseconds rebalance_delay{100};
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
};

}  // namespace cueball
