#include "recorder.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace pg_workload {

namespace {

std::int64_t micros(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

std::chrono::microseconds percentile(std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return std::chrono::microseconds(0);
    const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return std::chrono::microseconds(sorted[at]);
}

std::size_t bucket(std::int64_t us) {
    return std::min<std::size_t>(static_cast<std::size_t>(std::bit_width(static_cast<std::uint64_t>(std::max<std::int64_t>(us, 0)))), 47);
}

}  // namespace

void Recorder::committed(const cueball::BackendKey& server, std::chrono::nanoseconds claim_wait) {
    std::lock_guard lock(mu_);
    waits_us_.push_back(micros(claim_wait));
    ++total_buckets_[bucket(micros(claim_wait))];
    ++counts_[server];
}

void Recorder::failed(std::chrono::nanoseconds claim_wait) {
    std::lock_guard lock(mu_);
    waits_us_.push_back(micros(claim_wait));
    ++total_buckets_[bucket(micros(claim_wait))];
    ++errors_;
}

Interval Recorder::take() {
    std::vector<std::int64_t> waits;
    Interval out;
    {
        std::lock_guard lock(mu_);
        waits.swap(waits_us_);
        out.errors = std::exchange(errors_, 0);
        out.per_server.swap(counts_);
    }
    for (const auto& [server, n] : out.per_server) out.transactions += n;
    std::sort(waits.begin(), waits.end());
    out.wait_p50 = percentile(waits, 0.50);
    out.wait_p99 = percentile(waits, 0.99);
    return out;
}

std::chrono::microseconds Recorder::total_wait_bound(double percentile) {
    std::lock_guard lock(mu_);
    std::uint64_t all = 0;
    for (std::uint64_t n : total_buckets_) all += n;
    const auto rank = static_cast<std::uint64_t>(percentile * static_cast<double>(all));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < total_buckets_.size(); ++b) {
        seen += total_buckets_[b];
        if (all > 0 && seen > rank) return std::chrono::microseconds(std::int64_t{1} << b);
    }
    return std::chrono::microseconds(0);
}

}  // namespace pg_workload
