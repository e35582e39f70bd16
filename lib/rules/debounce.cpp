#include "debounce.hpp"

#include <algorithm>

namespace cueball::detail {

std::chrono::milliseconds effective_max_delay(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay) {
    if (max_delay.count() > 0) return std::max(max_delay, quiet);
    constexpr auto kLargest = std::chrono::milliseconds::max() / 10;
    return quiet > kLargest ? std::chrono::milliseconds::max() : quiet * 10;
}

TimePoint apply_events_at(const PendingEvents& pending, std::chrono::milliseconds quiet,
                          std::chrono::milliseconds max_delay) {
    if (pending.first == kNever) return kNever;
    return std::min(after(pending.last, quiet), after(pending.first, effective_max_delay(quiet, max_delay)));
}

}  // namespace cueball::detail
