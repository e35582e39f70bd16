// The pool's record of one backend. Its state changes only through
// PoolModel::set_backend_state(), which keeps the pool's per-state backend
// counts with it.
#pragma once

#include "intrusive_list.hpp"
#include "slot.hpp"
#include "../observability/backend_metrics.hpp"
#include "../rules/churn.hpp"
#include "../rules/outlier.hpp"

#include <cueball/backend.hpp>
#include <cueball/stats.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace cueball::detail {

// A backend as the resolver described it. Immutable: an update (new priority
// or weight) makes a new one, so that handles and stats() can keep a pointer
// to it without the pool's mutex.
struct BackendIdentity {
    BackendKey key;
    Backend backend;
};

// Who touches a field. "model": read and written only by PoolModel, under
// the pool's mutex (PoolCore::mu_). The exceptions are `metrics`, which
// stats() and a slot's claimer use without the mutex, and `identity` and
// `last_error`, whose objects are immutable: stats() copies the pointers
// under the mutex and reads the objects after unlocking. An entry outlives
// its slots (PoolModel forgets it only when it has none), so a slot's owner
// may follow Slot::entry without the mutex.
// A backend whose last connects failed: retried on the backoff schedule.
inline bool failing_or_dead(BackendState health) {
    return health == BackendState::Failing || health == BackendState::Dead;
}

struct BackendEntry {
    // The fields the claim and release path touches first, to share as few
    // cache lines as possible.
    std::array<std::size_t, kSlotStates> count{};  // model: slots here per state, kept by PoolModel::move()
    std::size_t live_slots = 0;                     // model: slots in live states (is_live), kept by move(): see live()
    std::size_t target = 0;                         // model: connections wanted here, set by the rebalancer
    BackendState state = BackendState::Connecting;  // model: changed only by set_backend_state()
    // The pointer: model, set when the entry is made (never null after),
    // constant after. The counters and histograms: written under the mutex,
    // or by a claimer that owns one of its slots (wait and use time); read
    // by stats() without the mutex. Atomic (see backend_metrics.hpp).
    std::shared_ptr<BackendMetrics> metrics;

    BackendKey key;                                  // model; constant after creation
    std::shared_ptr<const BackendIdentity> identity;  // model: replaced, never changed, on an update
    // Model: Connecting, Online, Failing or Dead; kept while ejected or draining.
    BackendState health = BackendState::Connecting;
    IntrusiveList<Slot, &Slot::link> tasks;   // model: slots waiting for a worker
    ListLink<BackendEntry> ready_link;        // model: in the model's ready ring
    bool in_ready = false;                    // model: ready_link is in the ring
    std::size_t running = 0;                  // model: tasks on workers now
    std::size_t unplaced_closing = 0;         // model: Closing slots with Slot::unplaced
    std::uint64_t consecutive_failures = 0;   // model: failed connects in a row
    TimePoint next_attempt{};                 // model: failing or dead: earliest next connect
    std::shared_ptr<const std::string> last_error;  // model: last connect failure, replaced per failure; null if none
    ChurnBucket churn;                        // model: max_churn_rate
    OutlierRecord outlier;                    // model: outlier_detection
    bool forgotten = false;                   // model: out of backends_, waiting to leave ordered_

    std::size_t in(SlotState s) const { return count[idx(s)]; }
    // Slots that count toward `target`: open or about to be.
    std::size_t live() const { return live_slots; }
    // Connections it holds now (not counting connects).
    std::size_t open() const { return live() - in(SlotState::Connecting); }
    std::size_t slots() const {
        std::size_t n = 0;
        for (std::size_t c : count) n += c;
        return n;
    }
    bool removed() const { return state == BackendState::Draining; }
    // Removed or ejected: it keeps no free connection.
    bool shut() const { return state >= BackendState::Draining; }
};

}  // namespace cueball::detail
