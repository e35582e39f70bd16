// The pool's own state, from what it knows of its backends.
#pragma once

#include <cueball/stats.hpp>

#include <cstddef>

namespace cueball::detail {

struct PoolStateInput {
    bool stopping = false;
    bool stopped = false;
    bool started = false;      // resolver events applied, or rebalance_delay passed since the start
    std::size_t known = 0;     // backends not removed
    std::size_t dead = 0;      // of those, dead
};

// Stopped > Stopping > Starting (until started) > Failed (every known
// backend dead) > Running.
PoolState decide_pool_state(const PoolStateInput& in);

}  // namespace cueball::detail
