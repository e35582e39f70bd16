// The demo's per-second report: one line for the pool, then one row per
// backend with its priority, weight, share and state, read from stats().
// Fits in 100 columns.
#pragma once

#include <cueball/stats.hpp>

#include <cstdint>

namespace demo {

/// Prints the report for `second` to stdout and flushes it.
void print_table(int second, const cueball::PoolStats& stats, std::uint64_t claims_per_second);

}  // namespace demo
