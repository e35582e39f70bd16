// When the DNS resolver asks again: after the answer's TTL, clamped, or after
// a back-off while the name servers fail. Pure functions, so tests check the
// schedule without waiting for it.
#pragma once

#include <chrono>
#include <cstdint>

namespace cueball::dns {

// The re-resolution delay for records that live `ttl_seconds`: clamped to
// [min_ttl, max_ttl], so that TTL 0 does not cause a query storm and a huge
// TTL does not hide changes forever.
std::chrono::milliseconds clamp_ttl(std::uint32_t ttl_seconds, std::chrono::milliseconds min_ttl,
                                    std::chrono::milliseconds max_ttl);

// The delay before retrying after `failures` (>= 1) failed rounds in a row:
// min_ttl doubled per failure up to max_ttl, less up to a quarter of itself
// at random (u uniform in [0, 1)) so that many clients do not retry in step.
std::chrono::milliseconds retry_delay(std::uint64_t failures, std::chrono::milliseconds min_ttl,
                                      std::chrono::milliseconds max_ttl, double u);

}  // namespace cueball::dns
