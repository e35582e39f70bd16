// PoolCore: the type-erased pool. See docs/ARCHITECTURE.md for the slot state
// table, the wake-up guarantee and the rebalancer's rules.
//
// Threads (all started by start(), all joined by stop()):
//   - the rebalancer: waits on rebalancer_cv_ for resolver events, fill
//     requests and its timers (debounce, backoff retries, connect timeouts,
//     decoherence, health checks, lifetimes, long claims, shrinking), and
//     delivers pool state changes to the user's callback;
//   - connector_threads workers: wait on work_cv_ for tasks (connect, close,
//     is_valid) and run them without the lock.
// Claimers wait on their own Waiter::cv, so a release wakes exactly the
// oldest waiter.
//
// Files: pool_core.cpp (life cycle, slot transitions, placement, stats),
// claim.cpp (claim and release), rebalancer.cpp (events, spread, fill,
// backoff, timers), sizing.cpp (spares, lifetimes, long claims, pool state),
// workers.cpp (the worker threads).
#pragma once

#include <cueball/detail/backoff.hpp>
#include "mutex.hpp"
#include "probes.hpp"
#include "slot.hpp"

#include <cueball/detail/pool_core.hpp>

#include <condition_variable>
#include <memory>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball::detail {

struct ClaimCancellation;  // claim.cpp: what a claim's stop_callback shares with it

class PoolCore {
public:
    // Options must have passed validate_options().
    PoolCore(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory);
    ~PoolCore();
    PoolCore(const PoolCore&) = delete;
    PoolCore& operator=(const PoolCore&) = delete;

    // Starts the threads, then the resolver. On failure the pool is stopped
    // and the exception propagates.
    void start() EXCLUDES(mu_);
    Slot* claim(const ClaimRequest& request) EXCLUDES(mu_);
    // Claims that may be cancelled or need validation.
    Slot* claim_slow(const ClaimRequest& request, std::chrono::milliseconds timeout) EXCLUDES(mu_);
    Slot* try_claim(const CallSite& site) EXCLUDES(mu_);
    void release(Slot* slot, bool discard) noexcept EXCLUDES(mu_);
    PoolStats stats() const EXCLUDES(mu_);
    void stop() noexcept EXCLUDES(mu_);
    // The pool object is gone. True if no handle remains, so the caller must
    // delete the core; otherwise the last release() deletes it.
    bool orphan() EXCLUDES(mu_);

private:
    // Why a waiter was woken without a connection.
    enum class Wake : std::uint8_t { None, Stopped, Failed, Cancelled };

    struct Waiter {
        std::condition_variable cv;
        Slot* slot = nullptr;        // guarded by mu_: set by whoever serves us
        Wake wake = Wake::None;      // guarded by mu_: set by stop(), failure, cancellation
        std::uint64_t claim_id = 0;  // set before queueing, then read-only
        CallSite site;               // set before queueing, then read-only
        ListLink<Waiter> link;       // guarded by mu_: in waiters_
    };

    // Resolver sink: queues the event for the rebalancer.
    void on_event(ResolverEvent event) EXCLUDES(mu_);

    // ---- claim.cpp
    // Lends the claim an idle connection, or queues it as a waiter (at the
    // front when `first`: a claimer whose connection failed validation keeps
    // its place) until one is handed over. Sets `start` when it has to wait.
    // Throws (through fail_claim) on stop, failure, fail-fast, timeout and
    // cancellation.
    Slot* await_slot(MutexLock& lock, const ClaimRequest& request, std::chrono::milliseconds timeout,
                     std::uint64_t claim_id, ClaimCancellation* cancellation, bool first,
                     Clock::time_point& start) REQUIRES(mu_);
    // validate_on_claim: false if the slot must be checked before use.
    bool recently_used(const Slot* slot, Clock::time_point now) const;
    // Logs and traces a reset() that failed (off the lock, on the releasing thread).
    void reset_failed(const Slot* slot, const std::string& reason);
    // Counts and traces a failed claim, then throws the error for `why`.
    [[noreturn]] void fail_claim(std::uint64_t claim_id, Wake why, const std::string& message) REQUIRES(mu_);
    std::string timeout_message(std::chrono::milliseconds timeout) const REQUIRES(mu_);
    std::string failed_message() const REQUIRES(mu_);
    std::string stopped_message() const;
    [[noreturn]] void throw_stopped() const;

    // ---- workers.cpp
    void worker_main() EXCLUDES(mu_);
    // Runs the slot's task with mu_ released (the caller's MutexLock still
    // owns it when this returns).
    void run_task(Slot* slot) REQUIRES(mu_);
    void finish_connect(Slot* slot, MadeConnection made, const std::string& error) REQUIRES(mu_);

    // ---- pool_core.cpp
    // The one function that changes a slot's state, and the counts with it.
    void transition(Slot* slot, SlotState to) REQUIRES(mu_);
    // Lends `slot` to a claim: state, the claimed list, probe.
    void lend(Slot* slot, std::uint64_t claim_id, const CallSite& site) REQUIRES(mu_);
    // A claim succeeded: counters, wait histograms, probe.
    void claim_done(Slot* slot, std::chrono::nanoseconds wait) REQUIRES(mu_);
    Slot* new_slot(BackendEntry* entry) REQUIRES(mu_);
    void destroy_slot(Slot* slot) REQUIRES(mu_);
    void forget_if_drained(BackendEntry* entry) REQUIRES(mu_);
    // An open connection is free: to the oldest waiter, else the idle queue,
    // or closed if its backend no longer wants it or it is past its lifetime.
    void place(Slot* slot) REQUIRES(mu_);
    void start_close(Slot* slot) REQUIRES(mu_);
    void enqueue_task(Slot* slot) REQUIRES(mu_);
    void make_ready(BackendEntry* entry) REQUIRES(mu_);
    void request_fill() REQUIRES(mu_);
    probe::Where where(std::uint64_t claim_id, const Slot* slot) const;
    probe::Where where(const BackendEntry* entry) const;

    // ---- rebalancer.cpp
    void rebalancer_main() EXCLUDES(mu_);
    void apply_events(Clock::time_point now) REQUIRES(mu_);
    void retarget() REQUIRES(mu_);
    void fill(Clock::time_point now) REQUIRES(mu_);
    bool refill(BackendEntry* entry, Clock::time_point now) REQUIRES(mu_);
    // max_churn_rate: takes a token for one connect, or schedules a retry.
    bool churn_allows(BackendEntry* entry, Clock::time_point now) REQUIRES(mu_);
    // Drops queued (not running) connects of `entry` until live() <= keep.
    void cancel_queued_connects(BackendEntry* entry, std::size_t keep) REQUIRES(mu_);
    void record_connect_failure(BackendEntry* entry, const std::string& error, Clock::time_point now)
        REQUIRES(mu_);
    void record_connect_success(BackendEntry* entry) REQUIRES(mu_);
    Clock::time_point expire_connects(Clock::time_point now) REQUIRES(mu_);
    void shuffle_idle() REQUIRES(mu_);
    void start_health_checks() REQUIRES(mu_);

    // ---- sizing.cpp
    // spares: what the pool should keep open now; grows at once, shrinks
    // after idle_timeout. Returns when to look again.
    Clock::time_point resize(Clock::time_point now) REQUIRES(mu_);
    // spares: tells the rebalancer when demand rises above the pool's size
    // (grow now) or first falls below it (start the shrink clock).
    void note_demand() REQUIRES(mu_);
    Clock::time_point expire_lifetimes(Clock::time_point now) REQUIRES(mu_);
    Clock::time_point warn_long_claims(Clock::time_point now) REQUIRES(mu_);
    Clock::time_point lifetime_deadline(Clock::time_point connected) REQUIRES(mu_);
    // Recomputes PoolState from the backends; on Failed, wakes every waiter.
    void update_state() REQUIRES(mu_);
    void set_state(PoolState to) REQUIRES(mu_);
    // Calls on_state_change for queued changes, with mu_ released meanwhile
    // (the caller's MutexLock owns it again on return).
    void deliver_state_changes() REQUIRES(mu_);

    std::string slot_site(const Slot* slot) const;

    // Set once in the constructor, then read-only.
    const PoolOptions options_;
    const std::shared_ptr<Resolver> resolver_;
    const ErasedFactory factory_;
    const std::shared_ptr<spdlog::logger> log_;
    const BackoffPolicy backoff_;
    // None of spares, max_lifetime, validate_on_claim, claim_warning_threshold
    // is on: the claim and release path skips them all with one test.
    const bool plain_;

    mutable Mutex mu_;
    // The claim and release path's fields, together after the mutex.
    bool stopping_ GUARDED_BY(mu_) = false;     // stop() has begun
    std::uint64_t next_claim_id_ GUARDED_BY(mu_) = 1;
    std::uint64_t epoch_ GUARDED_BY(mu_) = 1;    // health-check ticks so far + 1
    IntrusiveList<Slot, &Slot::link> idle_ GUARDED_BY(mu_);      // the decoherence queue, FIFO
    // Lent slots, oldest claim first; kept only with claim_warning_threshold
    // (it costs two cache lines per claim under the lock).
    IntrusiveList<Slot, &Slot::link> claimed_ GUARDED_BY(mu_);
    IntrusiveList<Waiter, &Waiter::link> waiters_ GUARDED_BY(mu_);  // blocked claimers, oldest first
    IntrusiveList<Slot, &Slot::link> inflight_ GUARDED_BY(mu_);  // slots a worker is running
    IntrusiveList<BackendEntry, &BackendEntry::ready_link> ready_ GUARDED_BY(mu_);  // entries with runnable tasks
    std::array<std::size_t, kSlotStates> count_ GUARDED_BY(mu_){};  // slots per state, all backends
    std::size_t live_current_ GUARDED_BY(mu_) = 0;  // live() summed over backends not removed
    // What the pool keeps open now: max_connections, or less with spares.
    std::size_t size_ GUARDED_BY(mu_) = 0;
    Clock::time_point low_demand_since_ GUARDED_BY(mu_) = Clock::time_point::max();  // spares shrinking
    std::unordered_map<BackendKey, std::unique_ptr<BackendEntry>> backends_ GUARDED_BY(mu_);
    std::vector<ResolverEvent> events_ GUARDED_BY(mu_);            // queued for the rebalancer
    Clock::time_point last_event_ GUARDED_BY(mu_){};
    bool fill_needed_ GUARDED_BY(mu_) = false;
    bool capped_ GUARDED_BY(mu_) = false;        // last fill stopped at size_
    Clock::time_point next_retry_ GUARDED_BY(mu_) = Clock::time_point::max();
    // When the sleeping rebalancer wakes up by itself (min() while it runs),
    // so that a worker starting a connect can tell whether the connect's
    // deadline needs an earlier wake-up.
    Clock::time_point rebalancer_wake_ GUARDED_BY(mu_) = Clock::time_point::min();
    Clock::time_point next_shuffle_ GUARDED_BY(mu_){};
    Clock::time_point next_health_check_ GUARDED_BY(mu_){};
    Clock::time_point running_at_ GUARDED_BY(mu_){};  // Starting ends by then at the latest
    std::string last_error_ GUARDED_BY(mu_);     // last connect failure, any backend
    // Pool-wide counters are the sum of the backends' (counted once, where
    // they happen), those of backends already forgotten, and the few that
    // belong to no backend (timeouts, cancellations, fail-fast).
    Counters counters_ GUARDED_BY(mu_);              // only the pool-only fields
    Counters retired_counters_ GUARDED_BY(mu_);      // of forgotten backends
    LatencyHistogram retired_claim_wait_ GUARDED_BY(mu_);
    std::uint64_t next_slot_id_ GUARDED_BY(mu_) = 1;
    std::size_t idle_workers_ GUARDED_BY(mu_) = 0;
    PoolState state_ GUARDED_BY(mu_) = PoolState::Starting;
    std::vector<std::pair<PoolState, PoolState>> state_changes_ GUARDED_BY(mu_);  // for on_state_change
    bool stopped_ GUARDED_BY(mu_) = false;      // stop() has finished
    bool orphaned_ GUARDED_BY(mu_) = false;     // the ConnectionPool object is gone
    std::condition_variable rebalancer_cv_;     // waits with mu_
    std::condition_variable work_cv_;           // waits with mu_
    std::condition_variable stopped_cv_;        // waits with mu_, for stopped_
    // Requested by stop() before it joins the workers, so that connections
    // that honour Connection::pool_stop_token() give up a blocked call.
    std::stop_source stopping_source_;

    // Written by start() before any other thread exists, joined by the one
    // stop() call that sets stopping_.
    std::thread rebalancer_;
    std::vector<std::thread> workers_;
    // Last: 2.5 KB that the claim path never touches.
    std::mt19937_64 rng_ GUARDED_BY(mu_);
};

// Always inline: it is on the claim and release path, where the compiler
// folds the constant target state away.
[[gnu::always_inline]] inline void PoolCore::transition(Slot* slot, SlotState to) {
    const SlotState from = slot->state;
    BackendEntry* entry = slot->entry;
    if (from != SlotState::None) {
        --entry->count[idx(from)];
        --count_[idx(from)];
    }
    if (to != SlotState::None) {
        ++entry->count[idx(to)];
        ++count_[idx(to)];
    }
    if (is_live(from) != is_live(to) && !entry->removed) {
        if (is_live(to)) {
            ++live_current_;
        } else {
            --live_current_;
        }
    }
    slot->state = to;
    if (CUEBALL_PROBE_ENABLED(slot__state__change)) {
        probe::slot_state_change(where(slot->claim_id, slot), state_name(from), state_name(to));
    }
}

// The other helpers of the claim and release path, inline for the same reason.
[[gnu::always_inline]] inline void PoolCore::lend(Slot* slot, std::uint64_t claim_id, const CallSite& site) {
    transition(slot, SlotState::Claimed);
    slot->claim_epoch = epoch_;
    slot->claim_id = claim_id;
    slot->site = site;
    // The clock is read, and claims listed, only for the feature that needs it.
    if (!plain_ && options_.claim_warning_threshold.count() > 0) {
        claimed_.push_back(slot);
        slot->warned = false;
        slot->claimed_at = Clock::now();
        if (slot->claimed_at + options_.claim_warning_threshold < rebalancer_wake_) rebalancer_cv_.notify_one();
    }
    if (CUEBALL_PROBE_ENABLED(handle__claimed)) probe::handle_claimed(where(claim_id, slot));
}

[[gnu::always_inline]] inline void PoolCore::claim_done(Slot* slot, std::chrono::nanoseconds wait) {
    ++slot->entry->counters.claims;
    // Counted per backend only; stats() adds them up for the pool. Claims
    // served at once are not recorded: the first bucket is derived from the
    // claim count (see BackendEntry::wait_histogram()), which keeps the common
    // case to one increment.
    if (wait.count() > 0) slot->entry->claim_wait.record(wait);
    if (CUEBALL_PROBE_ENABLED(claim__done)) {
        probe::claim_done(where(slot->claim_id, slot), static_cast<std::uint64_t>(wait.count()));
    }
}

[[gnu::always_inline]] inline void PoolCore::place(Slot* slot) {
    BackendEntry* entry = slot->entry;
    // live() counts this slot, so "more than the target" means this one is
    // surplus; so is anything beyond the pool's size (a probe that succeeded
    // while the other backends were full).
    if (entry->removed || entry->live() > entry->target || live_current_ > size_) {
        start_close(slot);
        return;
    }
    if (!plain_ && options_.max_lifetime.count() > 0 && Clock::now() >= slot->expires) {
        ++entry->counters.expired;
        start_close(slot);
        return;
    }
    if (Waiter* waiter = waiters_.pop_front()) {
        lend(slot, waiter->claim_id, waiter->site);
        waiter->slot = slot;
        // Under the lock: the waiter lives on its own stack and may leave as
        // soon as it can see `slot`.
        waiter->cv.notify_one();
        return;
    }
    transition(slot, SlotState::Idle);
    idle_.push_back(slot);
    // The rebalancer sleeps until its next known deadline: tell it of earlier ones.
    if (!plain_) {
        if (options_.max_lifetime.count() > 0 && slot->expires < rebalancer_wake_) rebalancer_cv_.notify_one();
        if (options_.spares > 0) note_demand();
    }
}

// Throws InvalidArgument naming the first bad field.
void validate_options(const PoolOptions& options);

}  // namespace cueball::detail
