#include "lifetime.hpp"

#include <algorithm>

namespace cueball::detail {

TimePoint lifetime_deadline(TimePoint connected, std::chrono::milliseconds max_lifetime, double u) {
    if (max_lifetime.count() <= 0) return kNever;
    const double factor = 1.0 - kLifetimeJitter * std::clamp(u, 0.0, 1.0);
    return after(connected, std::chrono::duration<double, std::milli>(static_cast<double>(max_lifetime.count()) * factor));
}

}  // namespace cueball::detail
