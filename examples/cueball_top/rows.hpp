// A pool's backends as cueball-top lists them: each with its rates over the
// last interval, kept or dropped by the filter, in the chosen order. Pure.
#pragma once

#include "view_state.hpp"

#include <cueball/stats.hpp>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace top {

/// Claims/s and p99 claim wait between two snapshots; empty without an
/// earlier one, or when a counter went backwards (the process restarted).
struct Rates {
    std::optional<double> claims_per_s;
    std::optional<std::chrono::nanoseconds> p99;
};

Rates rates(std::uint64_t claims_now, const cueball::LatencyHistogram& wait_now, std::uint64_t claims_then,
            const cueball::LatencyHistogram& wait_then, double seconds);

struct BackendRow {
    const cueball::BackendStats* stats = nullptr;  ///< into the snapshot the rows were made from
    Rates rates;
};

/// The rows of `now`'s backends that match `filter`, ordered by `key` (then
/// by backend key), with rates against `then` (nullptr: none) over `seconds`.
std::vector<BackendRow> backend_rows(const cueball::PoolStats& now, const cueball::PoolStats* then, double seconds,
                                     std::string_view filter, SortKey key, bool reverse);

/// Case-insensitive (ASCII) substring of the backend's key or state;
/// an empty filter matches everything.
bool matches(const cueball::BackendStats& backend, std::string_view filter);

}  // namespace top
