// A slot is the pool's record of one connection, from the moment the pool
// decides to open it until it is closed. Its state says which list it is in,
// and PoolModel::move() is the one function that changes both, so the two
// cannot drift (see docs/ARCHITECTURE.md for the state table).
#pragma once

#include "intrusive_list.hpp"
#include "../rules/time.hpp"

#include <cueball/connection.hpp>
#include <cueball/detail/pool_core.hpp>
#include <cueball/stats.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace cueball::detail {

enum class SlotState : std::uint8_t {
    None,        // not (or no longer) part of the pool; not counted, in no list
    Connecting,  // queued for, or running, connect() on a worker
    Idle,        // open and free: in the idle FIFO (the decoherence queue)
    Claimed,     // lent to a PoolHandle; the pool does not touch it
    Checking,    // out of the idle FIFO for an is_valid() health check on a worker
    Validating,  // is_valid() on a worker for one claim that waits for it (validate_on_claim)
    Closing,     // queued for, or running, close() on a worker
    Abandoned,   // connect() outlived connect_timeout; closed if it ever succeeds
};
inline constexpr std::size_t kSlotStates = 8;
constexpr std::size_t idx(SlotState s) { return static_cast<std::size_t>(s); }

// Open, or about to be: what counts toward a backend's target.
constexpr bool is_live(SlotState s) {
    return s == SlotState::Connecting || s == SlotState::Idle || s == SlotState::Claimed ||
           s == SlotState::Checking || s == SlotState::Validating;
}
// States whose slot waits for, or is on, a worker.
constexpr bool is_task(SlotState s) {
    return s == SlotState::Connecting || s == SlotState::Checking || s == SlotState::Validating ||
           s == SlotState::Closing || s == SlotState::Abandoned;
}

// Where a task-state slot is: in its backend's queue, or on a worker.
enum class TaskPhase : std::uint8_t { None, Queued, Running };

// Names for logs and probes, with static storage (probes need resident memory).
const std::string& state_name(SlotState state);

struct BackendEntry;
struct BackendIdentity;
struct Waiter;

// Who touches a field. "model": read and written only by PoolModel, under
// the pool's mutex (PoolCore::mu_). Whoever owns the slot (a worker while it
// runs the slot's task, the claimer while the slot is Claimed) may also read
// the fields marked so without the mutex: the model writes none of those
// while the slot is owned, and the handover goes through the mutex.
struct Slot : SlotView {  // SlotView: see pool_core.hpp
    ListLink<Slot> link;               // model: idle FIFO, claimed list, a task queue, or the running list
    // Model; constant after creation. The owner reads it without the mutex
    // (the claimer, for the backend's atomic metrics, which the entry
    // outlives the slot to keep).
    BackendEntry* entry = nullptr;
    // Model; constant after creation, keeps SlotView::backend alive while the
    // slot lives. The owner reads it without the mutex (keys in logs and probes).
    std::shared_ptr<const BackendIdentity> identity;
    // Model: set when connect() succeeds, moved out to be closed; null before.
    // The owner reads it and uses the connection without the mutex: a worker
    // through Task::connection, the claimer in reset() at release.
    std::unique_ptr<Connection> connection;
    SlotState state = SlotState::None;           // model: changed only by PoolModel::move()
    TaskPhase phase = TaskPhase::None;           // model: changed only by PoolModel::move()
    bool warned = false;               // model: the current claim was reported as long
    // Model: while Closing, it holds no place under the pool's size, because
    // it was claimed (or abandoned) on a removed backend, which the cap
    // already let go over; set by PoolModel::move() as it enters Closing.
    bool unplaced = false;
    // Model; constant after creation, unique per pool. The owner reads it
    // without the mutex for logs and probes.
    std::uint64_t id = 0;
    std::uint64_t generation = 0;      // model: refresh() replaces slots of older generations
    std::uint64_t claim_epoch = 0;     // model: health-check epoch of its last claim
    // Model: written by lend() under the mutex; the claimer reads it without
    // the mutex while the slot is Claimed (probes).
    std::uint64_t claim_id = 0;
    TimePoint started{};               // model: when the running task began (connect_timeout)
    TimePoint expires = kNever;        // model: max_lifetime deadline
    TimePoint last_used{};             // model: last release or successful check (validate_on_claim)
    // When lent, if the claim is timed ({} if not). With a
    // claim_warning_threshold: model, set by lend(), read under the mutex by
    // the long-claim warning and stats(). Without one nothing reads it under
    // the mutex, and the claimer owns it: it sets it for a sampled claim
    // (PoolCore::maybe_time), without the mutex. Either way the releasing
    // claimer reads it, and PoolModel::record_use clears it, with or without
    // the mutex (the plain() release path has none).
    TimePoint claimed_at{};
    Waiter* waiter = nullptr;          // model: while Validating, the claim it is for (null if it gave up)
    CallSite site;                     // model: where the current claim was made
};

}  // namespace cueball::detail
