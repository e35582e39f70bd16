#include <cueball/histogram.hpp>

#include <algorithm>
#include <bit>
#include <cmath>

namespace cueball {

namespace {

constexpr std::size_t kSub = std::size_t{1} << LatencyHistogram::kSubBucketBits;

std::chrono::nanoseconds saturating_add(std::chrono::nanoseconds a, std::chrono::nanoseconds b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a.count(), b.count(), &out)) return std::chrono::nanoseconds::max();
    return std::chrono::nanoseconds(out);
}

}  // namespace

std::size_t LatencyHistogram::bucket_of(std::chrono::nanoseconds value) noexcept {
    if (value.count() < (std::int64_t{1} << kFirstOctave)) return 0;
    const auto v = static_cast<std::uint64_t>(value.count());
    const unsigned octave = static_cast<unsigned>(std::bit_width(v)) - 1;
    if (octave >= kLastOctave) return kBuckets - 1;
    const std::size_t sub = (v >> (octave - kSubBucketBits)) & (kSub - 1);
    return 1 + (octave - kFirstOctave) * kSub + sub;
}

std::chrono::nanoseconds LatencyHistogram::lower_bound(std::size_t bucket) noexcept {
    if (bucket == 0) return std::chrono::nanoseconds(0);
    if (bucket >= kBuckets - 1) return std::chrono::nanoseconds(std::int64_t{1} << kLastOctave);
    const std::size_t octave = kFirstOctave + (bucket - 1) / kSub;
    const std::size_t sub = (bucket - 1) % kSub;
    return std::chrono::nanoseconds(static_cast<std::int64_t>((kSub + sub) << (octave - kSubBucketBits)));
}

std::chrono::nanoseconds LatencyHistogram::upper_bound(std::size_t bucket) noexcept {
    if (bucket >= kBuckets - 1) return std::chrono::nanoseconds::max();
    return lower_bound(bucket + 1);
}

void LatencyHistogram::record(std::chrono::nanoseconds value, std::uint64_t n) {
    add_to_bucket(bucket_of(value), n);
    const std::int64_t v = std::max<std::int64_t>(value.count(), 0);
    std::int64_t total = 0;
    if (__builtin_mul_overflow(v, static_cast<std::int64_t>(std::min<std::uint64_t>(n, INT64_MAX)), &total)) {
        total = INT64_MAX;
    }
    sum = saturating_add(sum, std::chrono::nanoseconds(total));
}

void LatencyHistogram::add_to_bucket(std::size_t bucket, std::uint64_t n) {
    if (n == 0) return;
    bucket = std::min(bucket, kBuckets - 1);
    auto it = std::lower_bound(buckets_.begin(), buckets_.end(), bucket,
                               [](const Bucket& b, std::size_t i) { return b.index < i; });
    if (it != buckets_.end() && it->index == bucket) {
        it->count += n;
    } else {
        buckets_.insert(it, Bucket{static_cast<std::uint16_t>(bucket), n});
    }
    count_ += n;
}

std::chrono::nanoseconds LatencyHistogram::quantile(double q) const noexcept {
    if (count_ == 0) return std::chrono::nanoseconds(0);
    const double clamped = std::isnan(q) ? 0.0 : std::clamp(q, 0.0, 1.0);
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (const Bucket& b : buckets_) {
        seen += b.count;
        if (seen < rank) continue;
        if (b.index == 0) return std::chrono::nanoseconds(0);
        if (b.index >= kBuckets - 1) return lower_bound(b.index);
        return lower_bound(b.index) + (upper_bound(b.index) - lower_bound(b.index)) / 2;
    }
    return lower_bound(buckets_.back().index);
}

std::uint64_t LatencyHistogram::count_at_most(std::chrono::nanoseconds bound) const noexcept {
    std::uint64_t n = 0;
    for (const Bucket& b : buckets_) {
        // upper_bound is exclusive: every value of the bucket is < it, so
        // <= bound when upper_bound - 1ns <= bound.
        if (b.index >= kBuckets - 1 || upper_bound(b.index) - std::chrono::nanoseconds(1) > bound) break;
        n += b.count;
    }
    return n;
}

LatencyHistogram LatencyHistogram::since(const LatencyHistogram& earlier) const {
    LatencyHistogram d;
    auto old = earlier.buckets_.begin();
    for (const Bucket& b : buckets_) {
        while (old != earlier.buckets_.end() && old->index < b.index) ++old;
        const std::uint64_t before = (old != earlier.buckets_.end() && old->index == b.index) ? old->count : 0;
        if (b.count > before) {
            d.buckets_.push_back({b.index, b.count - before});
            d.count_ += b.count - before;
        }
    }
    d.sum = sum >= earlier.sum ? sum - earlier.sum : std::chrono::nanoseconds(0);
    return d;
}

LatencyHistogram& LatencyHistogram::operator+=(const LatencyHistogram& other) {
    if (other.count_ == 0) {
        sum = saturating_add(sum, other.sum);
        return *this;
    }
    std::vector<Bucket> merged;
    merged.reserve(buckets_.size() + other.buckets_.size());
    auto a = buckets_.begin();
    auto b = other.buckets_.begin();
    while (a != buckets_.end() || b != other.buckets_.end()) {
        if (b == other.buckets_.end() || (a != buckets_.end() && a->index < b->index)) {
            merged.push_back(*a++);
        } else if (a == buckets_.end() || b->index < a->index) {
            merged.push_back(*b++);
        } else {
            merged.push_back({a->index, a->count + b->count});
            ++a;
            ++b;
        }
    }
    buckets_ = std::move(merged);
    count_ += other.count_;
    sum = saturating_add(sum, other.sum);
    return *this;
}

}  // namespace cueball
