// The retry schedule of something that keeps failing (a backend's connects,
// the DNS resolver's rounds): a pure function of the failure count and a
// random draw, so tests can check the spacing exactly. Installed for the
// plugins; not for users.
#pragma once

#include <cueball/export.hpp>

#include <chrono>
#include <cstdint>

namespace cueball::detail {

struct BackoffPolicy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{10'000};
    double multiplier = 2.0;
    double jitter = 0.2;  // fraction of the delay taken off at random
};

// Delay before the next attempt after `failures` (>= 1) consecutive failures:
// min(max, initial * multiplier^(failures-1)), less `jitter * u` of itself,
// where u is uniform in [0, 1).
CUEBALL_EXPORT std::chrono::milliseconds backoff_delay(std::uint64_t failures, const BackoffPolicy& policy, double u);

}  // namespace cueball::detail
