// Statistics: plain structs, filled by ConnectionPool::stats() from the
// pool's containers under its lock, so the numbers always agree with each
// other at the moment they were taken.
#pragma once

#include <cueball/backend.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cueball {

struct BackendStats {
    BackendKey key;
    Backend backend;
    std::size_t idle = 0, claimed = 0, connecting = 0;
    std::uint64_t connect_failures = 0;   ///< since the backend was added
    std::size_t target = 0;               ///< connections the rebalancer wants open here
    std::uint64_t consecutive_failures = 0;  ///< 0 = healthy; >0 = in backoff
    bool removed = false;                 ///< removed by the resolver, draining claimed ones
    std::string last_error;               ///< last connect failure, empty if none
};

struct PoolStats {
    std::size_t total_connections = 0;    ///< open: idle + claimed
    std::size_t idle_connections = 0;
    std::size_t claimed_connections = 0;
    std::size_t pending_connections = 0;  ///< connecting
    std::size_t waiters = 0;              ///< threads blocked in claim()
    std::vector<BackendStats> backends;   ///< ordered by key
};

}  // namespace cueball
