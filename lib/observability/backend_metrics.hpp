// Per-backend counters and histograms that stats() reads without the pool's
// mutex, so that a stats() call over thousands of backends does not hold up
// claims. The pool writes them with its mutex held (one writer at a time), so
// a relaxed load-add-store is enough, and costs what a plain increment does.
#pragma once

#include <cueball/histogram.hpp>
#include <cueball/stats.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace cueball::detail {

class RelaxedCounter {
public:
    void add(std::uint64_t n = 1) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> v_{0};
};

// Recorded from any thread (a served claim records its own wait without
// the pool's mutex): atomic increments, read relaxed.
class AtomicHistogram {
public:
    void record(std::chrono::nanoseconds value) noexcept {
        counts_[LatencyHistogram::bucket_of(value)].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(value.count(), 0)),
                          std::memory_order_relaxed);
    }
    std::uint64_t count() const noexcept {
        std::uint64_t n = 0;
        for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
        return n;
    }
    // `zeros` values of 0 are added to the first bucket: the claim path
    // counts claims served at once without recording them.
    LatencyHistogram snapshot(std::uint64_t zeros = 0) const {
        LatencyHistogram h;
        h.add_to_bucket(0, zeros);
        for (std::size_t i = 0; i < counts_.size(); ++i) h.add_to_bucket(i, counts_[i].load(std::memory_order_relaxed));
        const std::uint64_t sum = sum_ns_.load(std::memory_order_relaxed);
        h.sum = std::chrono::nanoseconds(sum > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(sum));
        return h;
    }

private:
    std::array<std::atomic<std::uint64_t>, LatencyHistogram::kBuckets> counts_{};
    std::atomic<std::uint64_t> sum_ns_{0};
};

struct BackendMetrics {
    RelaxedCounter claims, connects, connect_failures, health_check_failures, resets_failed, discards, long_claims,
        expired, validations_failed, churn_delays, ejections;
    AtomicHistogram claim_wait;   // claims that waited; claims served at once are counted in `claims` only
    AtomicHistogram use_time;     // sampled claims, claim to release
    AtomicHistogram create_time;  // successful connects

    Counters counters() const {
        Counters c;
        c.claims = claims.get();
        c.connects = connects.get();
        c.connect_failures = connect_failures.get();
        c.health_check_failures = health_check_failures.get();
        c.resets_failed = resets_failed.get();
        c.discards = discards.get();
        c.long_claims = long_claims.get();
        c.expired = expired.get();
        c.validations_failed = validations_failed.get();
        c.churn_delays = churn_delays.get();
        c.ejections = ejections.get();
        return c;
    }
    // The claim-wait histogram with the claims served at once in its first
    // bucket. The waited count is read before the claim count, so the
    // difference is never negative while claims go on.
    LatencyHistogram wait_histogram() const {
        const std::uint64_t waited = claim_wait.count();
        const std::uint64_t all = claims.get();
        return claim_wait.snapshot(all > waited ? all - waited : 0);
    }
};

}  // namespace cueball::detail
