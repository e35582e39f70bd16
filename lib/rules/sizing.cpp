#include "sizing.hpp"

#include <algorithm>

namespace cueball::detail {

SizingDecision decide_size(const SizingInput& in, TimePoint now) {
    if (in.demand >= in.size) return {in.demand, kNever, kNever};
    const TimePoint since = in.low_since == kNever ? now : in.low_since;
    const TimePoint shrink_at = after(since, in.idle_timeout);
    if (now >= shrink_at) return {in.demand, kNever, kNever};
    const auto step = std::max<std::chrono::milliseconds>(in.idle_timeout / 4, std::chrono::milliseconds(10));
    return {in.size, since, std::min(shrink_at, after(now, step))};
}

}  // namespace cueball::detail
