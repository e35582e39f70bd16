// The pool's own recording side of a LatencyHistogram: a fixed array of
// buckets, so recording never allocates; stats() turns it into the sparse
// LatencyHistogram snapshot.
#pragma once

#include <cueball/histogram.hpp>

#include <array>
#include <chrono>
#include <cstdint>

namespace cueball::detail {

struct LiveHistogram {
    std::array<std::uint64_t, LatencyHistogram::kBuckets> counts{};
    std::chrono::nanoseconds sum{0};

    void record(std::chrono::nanoseconds value) {
        ++counts[LatencyHistogram::bucket_of(value)];
        sum += value;
    }
    // `unrecorded_zeros` values of 0 are added to the first bucket: the claim
    // path counts claims served at once without recording them.
    LatencyHistogram snapshot(std::uint64_t unrecorded_zeros = 0) const {
        LatencyHistogram h;
        h.add_to_bucket(0, unrecorded_zeros);
        for (std::size_t i = 0; i < counts.size(); ++i) h.add_to_bucket(i, counts[i]);
        h.sum = sum;
        return h;
    }
    std::uint64_t count() const {
        std::uint64_t n = 0;
        for (std::uint64_t c : counts) n += c;
        return n;
    }
};

}  // namespace cueball::detail
