// Dynamic sizing with spares: what the pool keeps open is claimed + waiting +
// spares (at most max_connections). It grows at once and shrinks only when
// demand has stayed lower for idle_timeout, so that a burst that comes back
// soon finds its connections still open.
#pragma once

#include "time.hpp"

#include <cstddef>

namespace cueball::detail {

struct SizingInput {
    std::size_t size = 0;            // what the pool keeps open now
    std::size_t demand = 0;          // claimed + waiting + spares, capped at max_connections
    TimePoint low_since = kNever;    // since when demand has been below size (kNever: it is not)
    std::chrono::milliseconds idle_timeout{0};
};

struct SizingDecision {
    std::size_t size = 0;            // the new size
    TimePoint low_since = kNever;
    // When to look again: the shrink deadline, and meanwhile now and then,
    // since demand that rose back to the size wakes nobody.
    TimePoint next_look = kNever;
};

SizingDecision decide_size(const SizingInput& in, TimePoint now);

}  // namespace cueball::detail
