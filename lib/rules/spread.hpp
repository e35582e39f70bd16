// How many connections each backend should hold: pure functions, so that the
// rules of the spread (RFC 2782 priority and weight, failing, dead and
// ejected backends) are tested with tables of cases, without threads.
#pragma once

#include <cueball/stats.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cueball::detail {

// Splits `total` connections in proportion to `weights` by the largest
// remainder. Weight 0 gets nothing unless every weight is 0 (then all count
// as 1). The leftover +1s go, in order: to the largest remainder; then, if
// `current` is given (what each holds now), to those holding the most, so
// that a rebalance closes and opens as little as it can; then by index,
// starting at `rotation % n`, so that when there are fewer connections than
// backends a caller can give every backend its turn by advancing `rotation`.
std::vector<std::size_t> split_by_weight(std::size_t total, std::span<const std::uint16_t> weights,
                                         std::span<const std::size_t> current, std::size_t rotation);

// One backend as the spread sees it. Callers list backends in key order.
struct SpreadInput {
    BackendState state = BackendState::Connecting;  // never Draining: removed backends are left out
    std::size_t open = 0;  // connections it holds now (idle, claimed, being checked)
    std::size_t live = 0;  // open, plus connects queued or running
    std::uint16_t priority = 0;
    std::uint16_t weight = 1;
};

// Usable backends may be given connections: not dead, not ejected.
constexpr bool usable(BackendState s) {
    return s == BackendState::Connecting || s == BackendState::Online || s == BackendState::Failing;
}

// Targets for `size` connections over `backends` (in key order):
// - only the most preferred (lowest) priority that has a usable backend gets
//   any; within it, connections are split by weight (split_by_weight);
// - a failing backend keeps the connections it still holds, up to its
//   share, but gets no new ones while any backend of its priority is
//   healthy (they take the rest); when none is, all share as usual;
// - dead and ejected backends get none.
// `prefer_current` keeps the +1s where they are (every rebalance but the
// periodic rotation); `rotation` is passed on to split_by_weight.
std::vector<std::size_t> plan_targets(std::size_t size, std::span<const SpreadInput> backends, std::size_t rotation,
                                      bool prefer_current);

}  // namespace cueball::detail
