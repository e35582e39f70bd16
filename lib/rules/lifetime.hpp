// max_lifetime: each connection lives max_lifetime less up to 10 % at random,
// so that connections opened together do not all expire together.
#pragma once

#include "time.hpp"

namespace cueball::detail {

inline constexpr double kLifetimeJitter = 0.1;

// When a connection made at `connected` expires; kNever without a limit
// (max_lifetime 0). u is uniform in [0, 1).
TimePoint lifetime_deadline(TimePoint connected, std::chrono::milliseconds max_lifetime, double u);

}  // namespace cueball::detail
