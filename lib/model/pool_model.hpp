// PoolModel: the pool's state and rules, without threads, locks, clocks or
// I/O. It holds slots, backends, waiters and counters, and changes only
// through the transitions below. A transition that needs the time takes
// `now`; what it decides that touches the world (wake a waiter, run a task,
// log, fire a probe, destroy a connection object) it returns in Effects for
// the driver to carry out after unlocking.
//
// The driver (lib/driver) calls every transition with the pool's mutex
// held; the simulator (test/sim) calls them from one thread. See
// docs/ARCHITECTURE.md for the slot and backend state tables.
//
// Files: pool_model.cpp (construction, state changes and list membership,
// placement, stats), claims.cpp (claims, waiters, release), rebalance.cpp
// (resolver events, targets, filling, connect outcomes), tasks.cpp (the
// workers' tasks), timers.cpp (everything the rebalancer does on time).
#pragma once

#include "backend_entry.hpp"
#include "effects.hpp"
#include "intrusive_list.hpp"
#include "slot.hpp"
#include "waiter.hpp"
#include "../rules/debounce.hpp"
#include "../rules/time.hpp"

#include <cueball/backend.hpp>
#include <cueball/detail/backoff.hpp>
#include <cueball/options.hpp>
#include <cueball/stats.hpp>

#include <array>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cueball::detail {

// How a claimed connection came back.
enum class ReleaseKind : std::uint8_t { Returned, ResetFailed, Discarded };

// What begin_claim() did with a claim.
enum class ClaimStep : std::uint8_t {
    Served,   // waiter.slot holds the connection
    Failed,   // waiter.wake says why
    Waiting,  // queued, or a connection is being validated for it: wait for waiter.word
};

// A task a worker runs with the pool's mutex released.
struct Task {
    Slot* slot = nullptr;              // null: nothing to do
    SlotState kind = SlotState::None;  // Connecting, Checking, Validating or Closing
    Connection* connection = nullptr;  // the open connection (not for Connecting)
    std::shared_ptr<const BackendIdentity> backend;  // for the factory (Connecting)
    TimePoint deadline = kNever;       // when the pool stops waiting for it
};

// How a task ended.
struct TaskResult {
    std::unique_ptr<Connection> made;  // Connecting: the connected object, or null on failure
    void* object = nullptr;            // Connecting: the C* the user's factory returned
    std::string error;                 // why connect() or is_valid() failed; empty on success
    bool valid = false;                // Checking and Validating: is_valid() said yes
};

// The locked part of stats(): plain figures and shared pointers, copied in
// time that does not depend on formatting; PoolCore::stats() builds the
// PoolStats from it after unlocking.
struct StatsCapture {
    struct Backend {
        std::shared_ptr<const BackendIdentity> identity;
        std::shared_ptr<const std::string> last_error;
        std::shared_ptr<const BackendMetrics> metrics;
        std::size_t idle = 0, claimed = 0, connecting = 0, target = 0;
        BackendState state = BackendState::Connecting;
        std::uint64_t consecutive_failures = 0;
        std::optional<std::chrono::milliseconds> retry_in;
        std::optional<std::chrono::milliseconds> ejected_for;
    };
    PoolState state = PoolState::Starting;
    std::size_t max_connections = 0, target = 0, idle = 0, claimed = 0, pending = 0, waiters = 0;
    Counters counters;  // pool-only counters and those of forgotten backends
    LatencyHistogram retired_wait, retired_use, retired_create;
    std::vector<Backend> backends;
    std::vector<OutstandingClaim> oldest_claims;
};

class PoolModel {
public:
    // `options` must have passed validate_options(). `seed` drives every
    // random choice (jitter, shuffles), so that a simulation replays exactly.
    PoolModel(PoolOptions options, std::uint64_t seed, TimePoint now);
    ~PoolModel();
    PoolModel(const PoolModel&) = delete;
    PoolModel& operator=(const PoolModel&) = delete;

    const PoolOptions& options() const { return options_; }
    PoolState state() const { return state_; }
    bool stopping() const { return stopping_; }
    // None of spares, max_lifetime, validate_on_claim, claim_warning_threshold,
    // outlier detection, use-time sampling is on: the claim and release path
    // skips them all with one test.
    bool plain() const { return plain_; }
    static bool is_plain(const PoolOptions& o) {
        return o.spares == 0 && o.max_lifetime.count() == 0 && !o.validate_on_claim &&
               o.claim_warning_threshold.count() == 0 && o.outlier_detection.consecutive_failures == 0;
    }

    // ---- claims (claims.cpp; the fast path inline below)

    // An idle connection for a claim with nobody waiting ahead of it, or
    // null. Only for plain() pools: the others take begin_claim().
    Slot* claim_now(std::uint64_t claim_id, const CallSite& site, bool tracing);
    // A claim that could not be served at once: serves it now if it can,
    // fails it (stopped, failed, fail-fast, timeout 0), or queues it.
    // `timeout_zero`: a claim that must not wait. `first`: a claim whose
    // validated connection failed keeps its place at the front.
    ClaimStep begin_claim(Waiter& waiter, bool timeout_zero, TimePoint now, Effects& fx);
    // The waiter's deadline passed, or it was cancelled: unless it was served
    // meanwhile (then Served), it leaves the queue (a connection being
    // validated for it is placed or closed when the check ends).
    ClaimStep end_wait(Waiter& waiter, Wake why, Effects& fx);
    // try_claim(): an idle connection if one is free and nobody waits, or
    // null; never waits (with validate_on_claim, connections due a check are
    // sent to a worker instead).
    Slot* try_claim(std::uint64_t claim_id, const CallSite& site, TimePoint now, Effects& fx);
    // A claimed connection comes back. `now` is needed only when
    // needs_release_time() says so.
    void release(Slot* slot, ReleaseKind kind, TimePoint now, Effects& fx);
    // release() of a connection returned whole to a plain() pool. False if
    // it needs the time: then place_released() with it.
    bool release_plain(Slot* slot, bool tracing, Effects& fx);
    void place_released(Slot* slot, TimePoint now, Effects& fx);
    // A poked waiter (bounded fairness) tries for a free connection: served,
    // or back to waiting in its place.
    ClaimStep retry(Waiter& waiter, TimePoint now, Effects& fx);
    // Whether release() needs `now`: read by the releasing thread, which
    // owns the slot, without the pool's mutex.
    static bool release_needs_time(const PoolOptions& o, const Slot* slot) {
        return slot->claimed_at != TimePoint{} || o.validate_on_claim || o.max_lifetime.count() > 0 ||
               o.outlier_detection.consecutive_failures > 0 || o.fairness.mode == FairnessMode::bounded;
    }
    std::uint64_t next_claim_id() { return next_claim_id_++; }
    // Records how long a served claim waited (0: served at once, not
    // recorded). Called by the claimer, which owns the slot, without the
    // pool's mutex: the histogram is atomic.
    static void record_wait(Slot* slot, std::chrono::nanoseconds wait);
    // Records a timed claim's use time at its release, likewise without the
    // mutex; clears the claim's time stamp.
    static void record_use(Slot* slot, TimePoint now);
    // validate_on_claim: whether a connection may skip the check.
    bool recently_used(const Slot* slot, TimePoint now) const;

    // ---- resolver events and runtime control (rebalance.cpp)

    // `metrics`, for a BackendAdded, may come made by the caller before it
    // locked: a backend's histograms take kilobytes of fresh memory, and
    // thousands of backends added at once must not fault them in under the
    // pool's mutex. Made here when null.
    void queue_event(ResolverEvent event, TimePoint now, Effects& fx,
                     std::shared_ptr<BackendMetrics> metrics = nullptr);
    // The resolver's start() has returned: Starting ends rebalance_delay from
    // now, so the backends it reported from start() are in by then however
    // long starting the threads took.
    void resolver_started(TimePoint now, Effects& fx);
    void request_resize(std::size_t max_connections, Effects& fx);
    void request_refresh(Effects& fx);

    // ---- the rebalancer (timers.cpp): does what is due; returns when to look again.
    TimePoint tick(TimePoint now, Effects& fx);
    // Whether something came due before the rebalancer's planned wake-up on
    // a path that has no Effects (a claim, a connection gone idle); clears it.
    bool take_kick() { return std::exchange(kick_, false); }
    // State changes not yet given to on_state_change, oldest first.
    std::vector<std::pair<PoolState, PoolState>> take_state_changes();

    // ---- the workers (tasks.cpp)
    bool has_task() const { return !ready_.empty(); }
    Task take_task(TimePoint now, Effects& fx);
    void finish_task(Slot* slot, TaskResult result, TimePoint now, Effects& fx);

    // ---- stop
    // Wakes every waiter (PoolStopped) and stops serving.
    void begin_stop(Effects& fx);
    // Once no worker runs: every connection not claimed goes to fx.to_close.
    void finish_stop(Effects& fx);
    std::size_t claimed() const { return count_[idx(SlotState::Claimed)]; }

    // ---- observation
    StatsCapture capture_stats(TimePoint now) const;
    // For the simulator's invariants.
    std::size_t occupied() const { return occupied_; }
    std::size_t size() const { return size_; }
    std::size_t slots_in(SlotState s) const { return count_[idx(s)]; }
    std::size_t waiting() const { return waiters_.size(); }
    const Waiter* first_waiter() const { return waiters_.front(); }
    template <class F>
    void for_each_backend(F f) const {
        for (const auto& [key, entry] : backends_) f(*entry);
    }
    // Every claim that waits: queued, or waiting for a validation.
    template <class F>
    void for_each_waiter(F f) {
        for (Waiter* w = waiters_.front(); w != nullptr; w = decltype(waiters_)::next(w)) f(*w);
        auto validating = [&](Slot* slot) {
            if (slot->state == SlotState::Validating && slot->waiter != nullptr) f(*slot->waiter);
        };
        for (Slot* slot = running_.front(); slot != nullptr; slot = decltype(running_)::next(slot)) validating(slot);
        for (auto& [key, entry] : backends_) {
            for (Slot* slot = entry->tasks.front(); slot != nullptr; slot = decltype(entry->tasks)::next(slot)) {
                validating(slot);
            }
        }
    }
    template <class F>
    void for_each_idle(F f) const {
        for (const Slot* s = idle_.front(); s != nullptr; s = decltype(idle_)::next(s)) f(*s);
    }
    const PendingEvents& pending_events() const { return pending_; }

    // Probes: while tracing (a tracer is attached), transitions record the
    // probe events they decide on; the driver takes them after each call.
    void set_tracing(bool on) { tracing_ = on; }
    std::vector<ProbeEvent> take_trace() { return std::exchange(trace_, {}); }
    bool traced() const { return !trace_.empty(); }

private:
    // ---- the one place a slot's state (and with it its list) changes
    enum class At : std::uint8_t { Back, Front };
    void move(Slot* slot, SlotState to, TaskPhase phase = TaskPhase::None, At at = At::Back);
    // move() when the caller knows the slot's state: the claim and release
    // path passes constants, and the compiler folds the bookkeeping.
    void move_from(Slot* slot, SlotState from, SlotState to, TaskPhase phase = TaskPhase::None, At at = At::Back);
    void leave_list(Slot* slot, SlotState from);
    void enter_list(Slot* slot, At at);
    // ---- and a backend's (with the per-state backend counts)
    void set_backend_state(BackendEntry* entry, BackendState to, Effects& fx);

    Slot* new_slot(BackendEntry* entry, Effects& fx);
    // Fails a waiter with `why`, its message and its counter.
    void fail(Waiter& waiter, Wake why);
    void destroy_slot(Slot* slot, Effects& fx);
    void note_lost(BackendEntry* entry, Effects& fx);
    void forget_if_drained(BackendEntry* entry, Effects& fx);
    // Lends `slot` (now in state `from`) to a claim.
    void lend(Slot* slot, SlotState from, std::uint64_t claim_id, const CallSite& site, TimePoint now);
    void serve(Waiter* waiter, Slot* slot, TimePoint now, Effects& fx);
    void unpoke(Waiter* waiter);
    // bounded fairness: wakes the oldest waiter to compete for a free
    // connection, unless one is awake for that already.
    void poke_next(Effects& fx);
    void wake(Waiter* waiter, Wake why, Effects& fx);
    // An open connection is free: to the oldest waiter, else the idle
    // queue, or closed if its backend no longer wants it.
    void place(Slot* slot, TimePoint now, Effects& fx);
    // Closes a free connection that must not be handed out again (surplus,
    // its backend removed or ejected, refreshed, past its lifetime); true if
    // it did.
    bool close_if_unwanted(Slot* slot, TimePoint now, Effects& fx);
    bool unwanted(const Slot* slot) const;
    void start_close(Slot* slot, Effects& fx);
    void queue_task(Slot* slot, SlotState to, At at, Effects& fx);
    void make_ready(BackendEntry* entry, Effects& fx);
    // A claim whose connection failed validation, or that found one to
    // validate: serves it from the idle queue, or queues it.
    ClaimStep serve_or_queue(Waiter& waiter, bool first, TimePoint now, Effects& fx);
    // bounded fairness: whether the oldest waiter may still be passed over.
    bool may_pass_over(TimePoint now) const;

    // rebalance.cpp
    void apply_events(TimePoint now, Effects& fx);
    // Backends by key; rebuilt after the set changed.
    const std::vector<BackendEntry*>& ordered();
    void retarget(Effects& fx, bool prefer_current = true);
    void fill(TimePoint now, Effects& fx);
    // A place under the cap came free on `entry`: refill it at once if it
    // wants more, else let the rebalancer look at all of them.
    void refill(BackendEntry* entry, TimePoint now, Effects& fx);
    void make_room_for_probe(const BackendEntry* entry, Effects& fx);
    void set_health(BackendEntry* entry, BackendState health, Effects& fx);
    void probe_backend(BackendEntry* entry, TimePoint now, Effects& fx);
    bool churn_allows(BackendEntry* entry, TimePoint now);
    void cancel_queued_connects(BackendEntry* entry, std::size_t keep, Effects& fx);
    void trim(Effects& fx);
    void record_connect_failure(BackendEntry* entry, const std::string& error, TimePoint now, Effects& fx);
    void record_connect_success(BackendEntry* entry, TimePoint now, Effects& fx);
    void record_outcome(BackendEntry* entry, ReleaseKind kind, TimePoint now, Effects& fx);
    void readmit_due(TimePoint now, Effects& fx);
    std::size_t known_backends() const;

    // timers.cpp
    void update_state(Effects& fx);
    void set_state(PoolState to, Effects& fx);
    TimePoint expire_connects(TimePoint now, Effects& fx);
    void shuffle_idle(Effects& fx);
    void start_health_checks(Effects& fx);
    TimePoint expire_lifetimes(TimePoint now, Effects& fx);
    TimePoint warn_long_claims(TimePoint now, Effects& fx);
    TimePoint resize_for_demand(TimePoint now, Effects& fx);
    void note_demand(Effects& fx);
    std::string claim_site(const Slot* slot) const;

    // claims.cpp
    std::string timeout_message(std::chrono::milliseconds timeout) const;
    std::string failed_message() const;
    std::string stopped_message() const;

    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
    void trace(ProbeEvent event) {
        if (tracing_) trace_.push_back(std::move(event));
    }
    [[gnu::cold, gnu::noinline]] void trace_state_change(const Slot* slot, SlotState from, SlotState to) {
        trace_.push_back({ProbeKind::SlotStateChange, slot->claim_id, slot->id, slot->entry->key, state_name(from),
                          state_name(to)});
    }

    PoolOptions options_;
    const BackoffPolicy backoff_;
    const bool plain_;
    const bool bounded_;  // FairnessMode::bounded
    bool poked_ = false;  // a poked waiter is awake and will retry: poke no other
    bool stopping_ = false;
    std::uint64_t next_claim_id_ = 1;
    std::uint64_t epoch_ = 1;  // health-check ticks so far + 1
    IntrusiveList<Slot, &Slot::link> idle_;      // the decoherence queue, FIFO
    IntrusiveList<Slot, &Slot::link> claimed_;   // lent slots, oldest first; only with claim_warning_threshold
    IntrusiveList<Waiter, &Waiter::link> waiters_;  // queued claims, oldest first
    IntrusiveList<Slot, &Slot::link> running_;   // slots whose task a worker runs
    IntrusiveList<BackendEntry, &BackendEntry::ready_link> ready_;  // backends with a task a worker may take
    std::array<std::size_t, kSlotStates> count_{};  // slots per state, all backends
    // Slots that hold a place under the cap: every state but None and
    // Abandoned, less the claimed and closing connections of removed
    // backends (the only ones allowed over max_connections, while they
    // drain: a claimed one released is closed without taking a place back).
    std::size_t occupied_ = 0;
    // Of those, the Closing ones: their place comes free when close()
    // returns, so they make no other connection surplus.
    std::size_t closing_places_ = 0;
    std::size_t max_connections_;  // options_.max_connections, or what resize() set
    std::size_t size_ = 0;         // what the pool keeps open now: max_connections_, or less with spares
    std::size_t resize_to_ = 0;    // a resize() not yet applied; 0 = none
    bool refresh_pending_ = false; // a refresh() not yet applied
    std::uint64_t generation_ = 0; // refresh() calls so far: slots of older generations are replaced
    std::size_t probes_waiting_ = 0;  // failing or dead backends whose due probe waits for a place
    bool retarget_needed_ = false; // a backend's state changed: the rebalancer re-spreads
    bool capped_ = false;          // the last fill stopped at the cap
    bool spread_short_ = false;    // the last spread left a usable backend of its priority without any
    std::vector<BackendEntry*> ordered_;  // backends by key, for the spread; rebuilt when one is added
    bool reorder_needed_ = false;
    // Forgotten backends still listed in ordered_: kept until ordered()
    // drops them in one pass, so that draining thousands of backends does
    // not sort the rest again after each.
    std::vector<std::unique_ptr<BackendEntry>> forgotten_;
    std::array<std::size_t, 6> backends_in_{};  // backends per BackendState
    std::unordered_map<BackendKey, std::unique_ptr<BackendEntry>> backends_;
    struct QueuedEvent {
        ResolverEvent event;
        std::shared_ptr<BackendMetrics> metrics;  // BackendAdded: for a new entry; may be null
    };
    std::vector<QueuedEvent> events_;  // queued for the rebalancer
    PendingEvents pending_;
    bool started_ = false;               // Starting is over once set
    TimePoint running_at_ = kNever;      // Starting ends by then at the latest; set by resolver_started()
    bool fill_needed_ = false;
    TimePoint next_retry_ = kNever;      // earliest backoff retry or churn token
    TimePoint next_shuffle_ = kNever;
    TimePoint next_health_check_ = kNever;
    TimePoint next_readmit_ = kNever;
    TimePoint low_demand_since_ = kNever;
    std::size_t rotation_ = 0;           // turns the spread's tie-break (fewer connections than backends)
    std::string last_error_;             // last connect failure, any backend
    Counters counters_;                  // pool-only counters, and those of forgotten backends
    LatencyHistogram retired_wait_, retired_use_, retired_create_;
    std::uint64_t next_slot_id_ = 1;
    PoolState state_ = PoolState::Starting;
    std::vector<std::pair<PoolState, PoolState>> state_changes_;
    TimePoint planned_wake_ = kNever;  // what the last tick() returned
    bool kick_ = false;                // see take_kick()
    bool tracing_ = false;
    std::vector<ProbeEvent> trace_;
    std::mt19937_64 rng_;  // last: 2.5 KB the claim path never touches
};

// ---- the claim and release path, inline so that the driver's claim() and
// release() compile to straight-line code with the states folded in.

[[gnu::always_inline]] inline void PoolModel::leave_list(Slot* slot, SlotState from) {
    switch (from) {
        case SlotState::Idle: idle_.erase(slot); return;
        case SlotState::Claimed:
            if (options_.claim_warning_threshold.count() > 0) claimed_.erase(slot);
            return;
        default: break;
    }
    if (slot->phase == TaskPhase::Queued) {
        slot->entry->tasks.erase(slot);
    } else if (slot->phase == TaskPhase::Running) {
        running_.erase(slot);
    }
}

[[gnu::always_inline]] inline void PoolModel::enter_list(Slot* slot, At at) {
    switch (slot->state) {
        case SlotState::Idle:
            if (at == At::Front) {
                idle_.push_front(slot);
            } else {
                idle_.push_back(slot);
            }
            return;
        case SlotState::Claimed:
            if (options_.claim_warning_threshold.count() > 0) claimed_.push_back(slot);
            return;
        default: break;
    }
    if (slot->phase == TaskPhase::Queued) {
        if (at == At::Front) {
            slot->entry->tasks.push_front(slot);
        } else {
            slot->entry->tasks.push_back(slot);
        }
    } else if (slot->phase == TaskPhase::Running) {
        running_.push_back(slot);
    }
}

[[gnu::always_inline]] inline void PoolModel::move_from(Slot* slot, SlotState from, SlotState to, TaskPhase phase,
                                                         At at) {
    BackendEntry* entry = slot->entry;
    leave_list(slot, from);
    const bool draining = entry->removed();
    // Every slot holds a place under the size but these: a removed backend's
    // claimed connections (the cap lets them drain over it) and what they
    // become when they close, and abandoned connects. A connection that was
    // idle when its backend went keeps its place until its close() returns,
    // so that its replacement never opens over the cap.
    auto holds_place = [draining, slot](SlotState s) {
        switch (s) {
            case SlotState::None:
            case SlotState::Abandoned: return false;
            case SlotState::Claimed: return !draining;
            case SlotState::Closing: return !slot->unplaced;
            default: return true;
        }
    };
    const bool was_placed = holds_place(from);
    if (to == SlotState::Closing && from != SlotState::Closing) {
        slot->unplaced = draining && (from == SlotState::Claimed || from == SlotState::Abandoned);
        entry->unplaced_closing += slot->unplaced ? 1 : 0;
    } else if (from == SlotState::Closing && to != SlotState::Closing) {
        entry->unplaced_closing -= slot->unplaced ? 1 : 0;
        slot->unplaced = false;
    }
    const bool is_placed = holds_place(to);
    if (from != SlotState::None) {
        --entry->count[idx(from)];
        --count_[idx(from)];
    }
    if (to != SlotState::None) {
        ++entry->count[idx(to)];
        ++count_[idx(to)];
    }
    entry->live_slots = entry->live_slots - (is_live(from) ? 1 : 0) + (is_live(to) ? 1 : 0);
    occupied_ = occupied_ - (was_placed ? 1 : 0) + (is_placed ? 1 : 0);
    closing_places_ = closing_places_ - (from == SlotState::Closing && was_placed ? 1 : 0) +
                      (to == SlotState::Closing && is_placed ? 1 : 0);
    slot->state = to;
    slot->phase = is_task(to) ? phase : TaskPhase::None;
    enter_list(slot, at);
    if (tracing_ && from != to) trace_state_change(slot, from, to);
}

[[gnu::always_inline]] inline void PoolModel::move(Slot* slot, SlotState to, TaskPhase phase, At at) {
    move_from(slot, slot->state, to, phase, at);
}

[[gnu::always_inline]] inline void PoolModel::lend(Slot* slot, SlotState from, std::uint64_t claim_id,
                                                    const CallSite& site, TimePoint now) {
    move_from(slot, from, SlotState::Claimed);
    slot->claim_epoch = epoch_;
    slot->claim_id = claim_id;
    slot->entry->metrics->claims.add();
    if (!plain_) {
        slot->site = site;
        slot->warned = false;
        if (options_.claim_warning_threshold.count() > 0) {
            slot->claimed_at = now;
            if (after(now, options_.claim_warning_threshold) < planned_wake_) kick_ = true;
        }
    }
}

[[gnu::always_inline]] inline Slot* PoolModel::claim_now(std::uint64_t claim_id, const CallSite& site, bool tracing) {
    if (stopping_ || !waiters_.empty()) return nullptr;
    Slot* slot = idle_.front();
    if (slot == nullptr) return nullptr;
    tracing_ = tracing;
    lend(slot, SlotState::Idle, claim_id, site, TimePoint{});
    return slot;
}

[[gnu::always_inline]] inline bool PoolModel::unwanted(const Slot* slot) const {
    const BackendEntry* entry = slot->entry;
    // live() counts this slot, so "more than the target" means this one is
    // surplus; so is anything beyond the pool's size, not counting the
    // connections already closing (else, once over, every connection placed
    // before those closes end would be closed too), and a place a probe of
    // a failing backend waits for.
    return entry->shut() || entry->live() > entry->target ||
           (occupied_ > size_ && occupied_ - closing_places_ > size_) || slot->generation < generation_ ||
           (probes_waiting_ > 0 && waiters_.empty() && count_[idx(SlotState::Closing)] == 0);
}

[[gnu::always_inline]] inline bool PoolModel::release_plain(Slot* slot, bool tracing, Effects& fx) {
    tracing_ = tracing;
    // The usual case, folded: back to the idle queue.
    if (!stopping_ && waiters_.empty() && !unwanted(slot)) {
        move_from(slot, SlotState::Claimed, SlotState::Idle);
        return true;
    }
    if (bounded_ && !stopping_ && !waiters_.empty()) return false;
    place_released(slot, TimePoint{}, fx);
    return true;
}

}  // namespace cueball::detail
