// The pool a simulated run drives: options drawn from the run's seed, over a
// fixed set of backends that the run's steps add and remove.
#pragma once

#include <cueball/options.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace cueball::sim {

struct SimConfig {
    std::uint64_t seed = 0;
    PoolOptions options;
    std::uint32_t backends = 1;   // backends 0 .. backends-1 may be added
    bool varied_priority = false; // the generator gives priorities and weights other than 0 and 1
    std::size_t load = 1;         // claims out at most (held or waiting): light load leaves connections idle
    // After the last step, faults end and the pool is left alone this long;
    // then it must be full and spread by the rules.
    std::chrono::milliseconds settle{0};
};

SimConfig make_config(std::uint64_t seed);
std::string describe(const SimConfig& config);

}  // namespace cueball::sim
