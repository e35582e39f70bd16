// The progress lines and the closing summary, in pgbench's words and order
// (pgbench 15's, where pgbench reports the same thing) with the pool's
// figures after them. Rendering only: the numbers come from Recorder and
// the pool's stats.
#pragma once

#include "recorder.hpp"
#include "transactions.hpp"

#include <cueball/connections/postgres.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace pg_workload {

struct RunDescription {
    Mode mode = Mode::tpcb;
    Protocol protocol = Protocol::simple;
    std::size_t scale = 1;
    std::size_t clients = 0;
    std::size_t pool_size = 0;
    cueball::TargetRole role = cueball::TargetRole::primary;
    std::string reset_query;
    std::chrono::duration<double> duration{0};            ///< measured, from the clients' start to their stop
    std::chrono::duration<double> initial_connection{0};  ///< until the pool had its connections open
    std::chrono::nanoseconds claim_wait_p50{0};
    std::chrono::nanoseconds claim_wait_p99{0};
};

// Times of the failover, measured from the moment the primary was told to stop.
struct FailoverTimes {
    std::string old_primary;
    std::string new_primary;
    std::chrono::duration<double> stopped{0};              ///< the old primary had exited
    std::chrono::duration<double> promoted{0};             ///< the standby accepted writes
    std::optional<std::chrono::duration<double>> writes_back;  ///< a transaction begun after the stop committed
};

// "progress: 1.0 s, 6238.9 tps, lat 1.233 ms stddev 1.584, 0 failed, lat p99 2.100 ms"
std::string progress_line(std::chrono::duration<double> at, std::chrono::duration<double> span, const Tally& t);

std::string summary(const RunDescription& run, const Tally& total, const std::map<Failure, std::string>& first_failures,
                    const std::optional<FailoverTimes>& failover);

}  // namespace pg_workload
