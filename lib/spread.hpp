// How many connections each backend should hold: a pure function so that the
// rebalancer's arithmetic is unit-tested without threads.
#pragma once

#include <cstddef>
#include <vector>

namespace cueball::detail {

// Spreads `total` connections over `current.size()` backends so that the
// targets differ by at most one. `current[i]` is what backend i holds now:
// the remainder (+1s) goes to those that hold the most already (ties to the
// lower index), so a rebalance closes and opens as little as it can.
std::vector<std::size_t> spread_evenly(std::size_t total, const std::vector<std::size_t>& current);

}  // namespace cueball::detail
