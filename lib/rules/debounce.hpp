// When the rebalancer applies queued resolver events: after rebalance_delay
// of quiet (a burst causes one rebalance), but never later than
// rebalance_max_delay after the first of them, so that endless churn
// cannot starve it.
#pragma once

#include "time.hpp"

namespace cueball::detail {

struct PendingEvents {
    TimePoint first = kNever;  // when the oldest queued event arrived; kNever = none queued
    TimePoint last = kNever;   // when the newest arrived
};

// kNever when nothing is queued.
TimePoint apply_events_at(const PendingEvents& pending, std::chrono::milliseconds quiet,
                          std::chrono::milliseconds max_delay);

// rebalance_max_delay's default: ten debounce periods.
std::chrono::milliseconds effective_max_delay(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay);

}  // namespace cueball::detail
