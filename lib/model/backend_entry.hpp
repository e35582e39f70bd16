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

// Every field is "model": read and written only by PoolModel under the
// pool's mutex, except `metrics`, which stats() reads without it (see
// backend_metrics.hpp), and `identity` and `last_error`, immutable objects
// that stats() copies the pointers of.
struct BackendEntry {
    // The fields the claim and release path touches first, to share as few
    // cache lines as possible.
    std::array<std::size_t, kSlotStates> count{};  // slots here per state
    std::size_t live_slots = 0;                     // slots in live states (is_live): see live()
    std::size_t target = 0;                         // connections wanted here
    BackendState state = BackendState::Connecting;  // changed only by set_backend_state()
    std::shared_ptr<BackendMetrics> metrics = std::make_shared<BackendMetrics>();

    BackendKey key;
    std::shared_ptr<const BackendIdentity> identity;
    BackendState health = BackendState::Connecting;  // Connecting, Online, Failing or Dead; kept while ejected or draining
    IntrusiveList<Slot, &Slot::link> tasks;   // slots waiting for a worker
    ListLink<BackendEntry> ready_link;        // in the model's ready ring
    bool in_ready = false;
    std::size_t running = 0;                  // tasks on workers now
    std::uint64_t consecutive_failures = 0;   // failed connects in a row
    TimePoint next_attempt{};                 // failing or dead: earliest next connect
    std::shared_ptr<const std::string> last_error;  // last connect failure; null if none
    ChurnBucket churn;                        // max_churn_rate
    OutlierRecord outlier;                    // outlier_detection

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
