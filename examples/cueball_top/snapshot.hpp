// One poll of /stats: the pools as cueball::PoolStats again, read back from
// the JSON of cueball::to_json(), and when they were taken. Every field is
// read except oldest_claims, whose call sites PoolStats holds as pointers to
// the program's own string literals.
#pragma once

#include <cueball/stats.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace top {

struct Snapshot {
    std::vector<cueball::PoolStats> pools;
    std::chrono::steady_clock::time_point taken;
};

/// The JSON is not what a StatsServer serves; what() says where.
struct FormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// @throws FormatError.
std::vector<cueball::PoolStats> parse_pools(const std::string& json);

}  // namespace top
