// What cueball-top shows for two consecutive snapshots: a header line per
// pool and a row per backend, with rates from the difference of the two.
// Pure: the same lines are drawn by curses and printed by --once.
#pragma once

#include "snapshot.hpp"

#include <optional>
#include <string>
#include <vector>

namespace top {

struct Line {
    enum class Kind {
        Title,    ///< the first line: where the numbers come from
        Pool,     ///< a pool's totals
        Columns,  ///< the column names above a pool's backends
        Backend,  ///< one backend; `state` says which
        Note,     ///< a remark, such as an empty pool
    };
    Kind kind;
    std::string text;
    cueball::BackendState state = cueball::BackendState::Online;
};

/// The lines for `now`, with claims/s and p99 over the time since `before`
/// ("-" without an earlier snapshot, or for a backend new since then).
/// `pool` limits them to one pool when not empty.
std::vector<Line> render(const std::string& title, const Snapshot& now, const std::optional<Snapshot>& before,
                         const std::string& pool);

/// "0us", "<=10us", "<=1ms", "<=1s": the upper bound of a claim-wait bucket.
std::string format_wait(std::chrono::nanoseconds wait);

}  // namespace top
