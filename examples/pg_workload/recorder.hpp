// What the workers did, per reporting interval: transactions per server,
// errors, and the time each spent waiting in claim().
#pragma once

#include <cueball/backend.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace pg_workload {

struct Interval {
    std::uint64_t transactions = 0;
    std::uint64_t errors = 0;
    std::chrono::microseconds wait_p50{0}, wait_p99{0};
    std::map<cueball::BackendKey, std::uint64_t> per_server;  // committed transactions
};

// Thread-safe: workers record, the reporting thread takes.
class Recorder {
public:
    void committed(const cueball::BackendKey& server, std::chrono::nanoseconds claim_wait);
    void failed(std::chrono::nanoseconds claim_wait);
    // What happened since the last take(), and starts a new interval.
    Interval take();
    // Claim-wait percentiles since the start, as powers of two: the true
    // value is at most this (exact ones would keep every sample).
    std::chrono::microseconds total_wait_bound(double percentile);

private:
    std::mutex mu_;
    std::array<std::uint64_t, 48> total_buckets_{};        // guarded by mu_; [b] counts waits < 2^b us
    std::vector<std::int64_t> waits_us_;                   // guarded by mu_
    std::uint64_t errors_ = 0;                             // guarded by mu_
    std::map<cueball::BackendKey, std::uint64_t> counts_;  // guarded by mu_
};

}  // namespace pg_workload
