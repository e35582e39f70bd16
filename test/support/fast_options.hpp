// Pool options for tests: short delays so that rebalances and retries happen
// within milliseconds, and no periodic shuffles or health checks unless a
// test turns them on.
#pragma once

#include <cueball/options.hpp>

#include <chrono>
#include <string>

namespace cueball::test {

inline PoolOptions fast_options(std::size_t max_connections, std::string name = "test") {
    using namespace std::chrono_literals;
    PoolOptions o;
    o.name = std::move(name);
    o.max_connections = max_connections;
    o.rebalance_delay = 10ms;
    o.backoff_initial = 20ms;
    o.backoff_max = 200ms;
    o.decoherence_interval = 0ms;
    o.health_check_interval = 0ms;
    return o;
}

}  // namespace cueball::test
