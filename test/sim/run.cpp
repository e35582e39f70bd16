#include "run.hpp"
#include "generator.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

namespace cueball::sim {

RunResult run_seed(const SimConfig& config, std::size_t steps) {
    RunResult result;
    World world(config);
    Generator generator(config, config.seed);
    result.trace.reserve(steps);
    for (std::size_t i = 0; i < steps && !world.failed(); ++i) {
        result.trace.push_back(generator.next(world));
        world.apply(result.trace.back());
    }
    if (!world.failed()) world.wind_down();
    result.steps = world.applied;
    result.violation = world.violation;
    return result;
}

RunResult replay(const SimConfig& config, const std::vector<Op>& ops, std::FILE* narrate) {
    RunResult result;
    World world(config);
    world.narrate = narrate;
    for (const Op& op : ops) {
        if (world.failed()) break;
        world.apply(op);
        result.trace.push_back(op);
    }
    if (!world.failed()) {
        if (narrate != nullptr) fmt::print(narrate, "         (the end of the run: faults end, the pool settles, then stops)\n");
        world.wind_down();
    }
    result.steps = world.applied;
    result.violation = world.violation;
    return result;
}

std::vector<Op> shrink(const SimConfig& config, std::vector<Op> ops, const Violation& violation,
                       std::chrono::steady_clock::duration budget) {
    const auto until = std::chrono::steady_clock::now() + budget;
    auto in_time = [&] { return std::chrono::steady_clock::now() < until; };
    // The steps that ran up to the same failure, or nothing.
    auto still_fails = [&](const std::vector<Op>& candidate) -> std::optional<std::vector<Op>> {
        RunResult r = replay(config, candidate);
        if (r.violation && r.violation->invariant == violation.invariant) return std::move(r.trace);
        return std::nullopt;
    };
    // Delta debugging: drop chunks, from halves down to single steps, as long
    // as the run still fails; after a pass that dropped something, again.
    for (std::size_t chunk = std::max<std::size_t>(ops.size() / 2, 1); in_time();) {
        bool dropped = false;
        for (std::size_t at = 0; at < ops.size() && in_time();) {
            std::vector<Op> candidate;
            candidate.reserve(ops.size());
            candidate.insert(candidate.end(), ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(at));
            const std::size_t end = std::min(ops.size(), at + chunk);
            candidate.insert(candidate.end(), ops.begin() + static_cast<std::ptrdiff_t>(end), ops.end());
            if (auto kept = still_fails(candidate)) {
                ops = std::move(*kept);
                dropped = true;
            } else {
                at += chunk;
            }
        }
        if (chunk == 1 && !dropped) break;
        if (!dropped || chunk > 1) chunk = std::max<std::size_t>(chunk / 2, 1);
    }
    return ops;
}

}  // namespace cueball::sim
