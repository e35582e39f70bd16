// What the clients did: committed and failed transactions, their latency,
// and the servers that committed them, per progress interval and for the
// whole run.
#pragma once

#include "transactions.hpp"

#include <cueball/backend.hpp>
#include <cueball/histogram.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace pg_workload {

using Clock = std::chrono::steady_clock;

struct Tally {
    std::uint64_t committed = 0;
    std::array<std::uint64_t, 5> failed_by{};  ///< indexed by Failure; [none] stays 0
    /// Latency of committed transactions: from claim() to the release of the
    /// connection (claim wait, statements, and the pool's reset).
    cueball::LatencyHistogram latency;
    double latency_squares_ms2 = 0;  ///< sum of squared latencies, for the standard deviation
    std::map<cueball::BackendKey, std::uint64_t> per_server;  ///< committed transactions

    std::uint64_t failed() const;
    double latency_average_ms() const;
    double latency_stddev_ms() const;
};

// Thread-safe: clients record, the main thread takes intervals and totals.
class Recorder {
public:
    void committed(const cueball::BackendKey& server, Clock::time_point start, Clock::time_point end);
    void failed(Failure why, const std::string& message);
    // What happened since the last take_interval().
    Tally take_interval();
    Tally total();
    // The first failure's message of each kind, for the summary.
    std::map<Failure, std::string> first_messages();

    // From now on, watch for the first transaction that starts at or after
    // `since` and commits.
    void watch_recovery(Clock::time_point since);
    // When that transaction committed, if one has.
    std::optional<Clock::time_point> recovered_at();

private:
    std::mutex mu_;
    Tally interval_;                                   // guarded by mu_
    Tally total_;                                      // guarded by mu_
    std::map<Failure, std::string> first_messages_;    // guarded by mu_
    std::optional<Clock::time_point> recovery_since_;  // guarded by mu_
    std::optional<Clock::time_point> recovered_at_;    // guarded by mu_
};

}  // namespace pg_workload
