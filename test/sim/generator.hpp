// Makes a run's steps from its seed, one at a time, looking at the world to
// choose steps that do something: mostly what the application and the
// resolver do, with the pool's threads reacting in between in random order,
// and virtual time moving on only once nothing is due.
#pragma once

#include "config.hpp"
#include "ops.hpp"
#include "random.hpp"

#include <vector>

namespace cueball::sim {

class World;

class Generator {
public:
    Generator(const SimConfig& config, std::uint64_t seed);
    Op next(World& world);

private:
    Op spontaneous(World& world);
    Op add(std::uint32_t backend);
    Op fault(std::uint32_t backend);
    Op claim();
    std::uint32_t backend() { return static_cast<std::uint32_t>(rng_.below(config_.backends)); }

    const SimConfig& config_;
    Rng rng_;
    std::vector<Op> queued_;  // the rest of a burst or a flap, next steps first (back = next)
};

}  // namespace cueball::sim
