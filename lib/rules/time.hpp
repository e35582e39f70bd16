// Time arithmetic that cannot overflow. Options accept durations up to
// milliseconds::max(), and a deadline of "now + max()" must mean "never",
// not a time in the past.
#pragma once

#include <chrono>
#include <cstdint>

namespace cueball::detail {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
inline constexpr TimePoint kNever = TimePoint::max();

// t + d, saturating at kNever (and at TimePoint::min() for negative d).
template <class Rep, class Period>
constexpr TimePoint after(TimePoint t, std::chrono::duration<Rep, Period> d) noexcept {
    using D = TimePoint::duration;
    if (d.count() <= 0) {
        if (d.count() == 0) return t;
        // Negative durations are rejected by the options; be safe anyway.
        const auto back = std::chrono::duration_cast<D>(-d);
        return t.time_since_epoch() <= TimePoint::min().time_since_epoch() + back ? TimePoint::min() : t - back;
    }
    // Compare in the duration's own units first, so that the cast below
    // cannot overflow either.
    const auto room = kNever - t;
    if (std::chrono::duration_cast<std::chrono::duration<double, std::nano>>(d).count() >=
        static_cast<double>(room.count())) {
        return kNever;
    }
    const auto step = std::chrono::duration_cast<D>(d);
    return step >= room ? kNever : t + step;
}

// How long until `t`, never negative: zero once it has passed.
constexpr SteadyClock::duration until(TimePoint now, TimePoint t) noexcept {
    return t <= now ? SteadyClock::duration::zero() : t - now;
}

}  // namespace cueball::detail
