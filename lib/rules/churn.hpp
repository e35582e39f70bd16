// max_churn_rate: a token bucket per backend that holds one second's worth
// of connects (at least one). A pure function of the bucket, the time and the
// rate, so that its arithmetic is tested without waiting.
#pragma once

#include "time.hpp"

namespace cueball::detail {

struct ChurnBucket {
    double tokens = 0;
    TimePoint refilled{};  // {} = never used: starts full
};

struct ChurnDecision {
    bool allowed = true;
    TimePoint retry_at = kNever;  // when not allowed: when a token will be there
};

// Takes a token for one connect if there is one. rate <= 0 means no limit.
ChurnDecision churn_take(ChurnBucket& bucket, TimePoint now, double rate);

}  // namespace cueball::detail
