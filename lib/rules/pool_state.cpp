#include "pool_state.hpp"

namespace cueball::detail {

PoolState decide_pool_state(const PoolStateInput& in) {
    if (in.stopped) return PoolState::Stopped;
    if (in.stopping) return PoolState::Stopping;
    if (!in.started) return PoolState::Starting;
    if (in.known > 0 && in.dead == in.known) return PoolState::Failed;
    return PoolState::Running;
}

}  // namespace cueball::detail
