#include "churn.hpp"

#include <algorithm>

namespace cueball::detail {

ChurnDecision churn_take(ChurnBucket& bucket, TimePoint now, double rate) {
    if (!(rate > 0)) return {};
    const double capacity = std::max(1.0, rate);
    if (bucket.refilled == TimePoint{}) {
        bucket.tokens = capacity;
    } else if (now > bucket.refilled) {
        const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
        bucket.tokens = std::min(capacity, bucket.tokens + elapsed * rate);
    }
    bucket.refilled = std::max(bucket.refilled, now);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {};
    }
    // A millisecond more than the exact refill, so that a wake-up at
    // retry_at always finds a whole token.
    const std::chrono::duration<double> wait((1.0 - bucket.tokens) / rate);
    return {false, after(after(now, wait), std::chrono::milliseconds(1))};
}

}  // namespace cueball::detail
