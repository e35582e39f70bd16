// Running a seed, replaying a list of steps, and shrinking a failing list to
// a shortest one that still fails the same way.
#pragma once

#include "config.hpp"
#include "ops.hpp"
#include "world.hpp"

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <vector>

namespace cueball::sim {

struct RunResult {
    std::optional<Violation> violation;
    std::vector<Op> trace;  // the steps applied, up to and including the failing one
    std::size_t steps = 0;  // all steps, the end of the run included
};

// Generates `steps` steps from the seed and applies them, then winds down.
RunResult run_seed(const SimConfig& config, std::size_t steps);
// Applies `ops` and winds down; with `narrate`, prints each step.
RunResult replay(const SimConfig& config, const std::vector<Op>& ops, std::FILE* narrate = nullptr);
// Drops steps while the replay still fails with the same invariant, until
// no single step can go or `budget` has passed.
std::vector<Op> shrink(const SimConfig& config, std::vector<Op> ops, const Violation& violation,
                       std::chrono::steady_clock::duration budget);

}  // namespace cueball::sim
