// When the DNS resolver asks again: after the answer's TTL, clamped, or after
// a back-off while the name servers fail. Pure functions, so tests check the
// schedule without waiting for it.
#pragma once

#include <cueball/detail/backoff.hpp>

#include <chrono>
#include <cstdint>

namespace cueball::dns {

// The re-resolution delay for records that live `ttl_seconds`: clamped to
// [min_ttl, max_ttl], so that TTL 0 does not cause a query storm and a huge
// TTL does not hide changes forever.
std::chrono::milliseconds clamp_ttl(std::uint32_t ttl_seconds, std::chrono::milliseconds min_ttl,
                                    std::chrono::milliseconds max_ttl);

// The back-off between failed rounds, for the pool's backoff_delay(): min_ttl
// doubled per failed round in a row up to max_ttl, less up to a quarter of
// itself at random so that many clients do not retry in step.
detail::BackoffPolicy retry_policy(std::chrono::milliseconds min_ttl, std::chrono::milliseconds max_ttl);

}  // namespace cueball::dns
