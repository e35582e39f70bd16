#include <cueball/detail/backoff.hpp>

#include <algorithm>
#include <cmath>

namespace cueball::detail {

std::chrono::milliseconds backoff_delay(std::uint64_t failures, const BackoffPolicy& policy, double u) {
    const double max_ms = static_cast<double>(policy.max.count());
    const double exponent = static_cast<double>(failures == 0 ? 0 : failures - 1);
    // pow() of a large exponent is inf, which min() clamps to max: no overflow.
    double ms = std::min(max_ms, static_cast<double>(policy.initial.count()) *
                                     std::pow(policy.multiplier, exponent));
    ms *= 1.0 - policy.jitter * std::clamp(u, 0.0, 1.0);
    // A max of milliseconds::max() is a double just above INT64_MAX: cast
    // only what fits.
    constexpr double kLargest = 9.0e18;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(ms, 1.0, kLargest)));
}

}  // namespace cueball::detail
