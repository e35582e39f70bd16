// LatencyHistogram: how long something took (a claim's wait, a handle's use,
// a connect), in log-linear buckets like HdrHistogram's: eight buckets per
// power of two from 1 us up to 2^42 ns (about 73 minutes), one bucket for
// everything under 1 us and one for everything longer. A bucket is at most
// 1/8 as wide as its lower bound, so quantile() (the bucket's midpoint) is
// within 1/16 (6.25 %) of the true value for anything from 1 us to 73 min.
//
// This is the snapshot type that stats carry: it stores only the buckets
// that hold something, so a pool with thousands of backends does not copy
// hundreds of empty buckets per backend. The pool records into a fixed-size
// array of its own and never allocates on the claim path.
//
// Thread safety: a plain value; not synchronised.
#pragma once

#include <cueball/export.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cueball {

class LatencyHistogram {
public:
    static constexpr unsigned kSubBucketBits = 3;                    ///< 8 buckets per power of two
    static constexpr unsigned kFirstOctave = 10;                     ///< 2^10 ns: below it, bucket 0
    static constexpr unsigned kLastOctave = 42;                      ///< 2^42 ns and longer: the last bucket
    static constexpr std::size_t kBuckets = 2 + (kLastOctave - kFirstOctave) * (1u << kSubBucketBits);

    /// One bucket that holds something.
    struct Bucket {
        std::uint16_t index = 0;
        std::uint64_t count = 0;
        friend bool operator==(const Bucket&, const Bucket&) = default;
    };

    /// The bucket a duration falls in (negative durations count as 0).
    CUEBALL_EXPORT static std::size_t bucket_of(std::chrono::nanoseconds value) noexcept;
    /// Smallest value of a bucket.
    CUEBALL_EXPORT static std::chrono::nanoseconds lower_bound(std::size_t bucket) noexcept;
    /// First value past a bucket (exclusive); nanoseconds::max() for the last.
    CUEBALL_EXPORT static std::chrono::nanoseconds upper_bound(std::size_t bucket) noexcept;

    /// Adds `n` values of `value`.
    CUEBALL_EXPORT void record(std::chrono::nanoseconds value, std::uint64_t n = 1);
    /// Adds `n` values to a bucket by index (sum is the caller's to set). For
    /// building a snapshot from counts kept elsewhere (the pool, a parser).
    CUEBALL_EXPORT void add_to_bucket(std::size_t bucket, std::uint64_t n);

    std::uint64_t count() const noexcept { return count_; }
    /// Non-empty buckets in ascending order.
    const std::vector<Bucket>& buckets() const noexcept { return buckets_; }
    /// Estimate of quantile q (0 .. 1, clamped): the midpoint of the bucket
    /// holding the value of rank ceil(q * count); 0 for bucket 0 (under 1 us)
    /// and for an empty histogram, 2^42 ns for the last bucket.
    CUEBALL_EXPORT std::chrono::nanoseconds quantile(double q) const noexcept;
    /// Values in buckets that end at or below `bound` (all of them are <=
    /// bound; values just under a bound that falls inside a bucket are left
    /// out). Exact when `bound` is a bucket boundary.
    CUEBALL_EXPORT std::uint64_t count_at_most(std::chrono::nanoseconds bound) const noexcept;

    /// This histogram less an earlier snapshot of it (for rates): buckets
    /// and sum never go below zero.
    CUEBALL_EXPORT LatencyHistogram since(const LatencyHistogram& earlier) const;
    /// Adds another histogram (for totals over backends or pools).
    CUEBALL_EXPORT LatencyHistogram& operator+=(const LatencyHistogram& other);

    friend bool operator==(const LatencyHistogram&, const LatencyHistogram&) = default;

    /// Total of all values recorded (saturates at nanoseconds::max()).
    std::chrono::nanoseconds sum{0};

private:
    std::vector<Bucket> buckets_;  // ascending by index, no zero counts
    std::uint64_t count_ = 0;
};

}  // namespace cueball
