#include "schedule.hpp"

#include <algorithm>

namespace cueball::dns {

std::chrono::milliseconds clamp_ttl(std::uint32_t ttl_seconds, std::chrono::milliseconds min_ttl,
                                    std::chrono::milliseconds max_ttl) {
    const std::chrono::milliseconds ttl = std::chrono::seconds(ttl_seconds);
    return std::clamp(ttl, min_ttl, max_ttl);
}

std::chrono::milliseconds retry_delay(std::uint64_t failures, std::chrono::milliseconds min_ttl,
                                      std::chrono::milliseconds max_ttl, double u) {
    std::chrono::milliseconds delay = std::max(min_ttl, std::chrono::milliseconds(1));
    for (std::uint64_t i = 1; i < failures && delay < max_ttl; ++i) {
        delay = delay > max_ttl / 2 ? max_ttl : delay * 2;
    }
    delay = std::min(delay, max_ttl);
    const double jitter = 0.25 * std::clamp(u, 0.0, 1.0) * static_cast<double>(delay.count());
    const auto jittered = delay - std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(jitter));
    return std::max(jittered, std::chrono::milliseconds(1));
}

}  // namespace cueball::dns
