// Rendering of PoolStats for monitoring: JSON for people and scripts, and the
// Prometheus text exposition format (version 0.0.4) for scrapers.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <cueball/export.hpp>
#include <cueball/stats.hpp>

#include <string>
#include <vector>

namespace cueball {

/// One pool as a JSON object: counts, counters, the claim-wait histogram
/// (with p50/p99) and one object per backend.
CUEBALL_EXPORT std::string to_json(const PoolStats& stats);
/// Several pools as a JSON array of the objects above.
CUEBALL_EXPORT std::string to_json(const std::vector<PoolStats>& pools);

/// Metrics named cueball_pool_* (label pool) and cueball_backend_* (labels
/// pool and backend), with HELP and TYPE lines, for any number of pools.
CUEBALL_EXPORT std::string to_prometheus(const std::vector<PoolStats>& pools);

}  // namespace cueball
