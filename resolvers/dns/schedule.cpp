#include "schedule.hpp"

#include <algorithm>

namespace cueball::dns {

std::chrono::milliseconds clamp_ttl(std::uint32_t ttl_seconds, std::chrono::milliseconds min_ttl,
                                    std::chrono::milliseconds max_ttl) {
    const std::chrono::milliseconds ttl = std::chrono::seconds(ttl_seconds);
    return std::clamp(ttl, min_ttl, max_ttl);
}

detail::BackoffPolicy retry_policy(std::chrono::milliseconds min_ttl, std::chrono::milliseconds max_ttl) {
    return detail::BackoffPolicy{min_ttl, max_ttl, 2.0, 0.25};
}

}  // namespace cueball::dns
