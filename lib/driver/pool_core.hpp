// PoolCore: the driver of a pool. It owns the model (lib/model), the mutex
// that guards it, the threads and the calls into the world (the factory,
// connect(), is_valid(), reset(), close(), the logger, probes, callbacks).
// Each operation locks, applies a transition of the model, unlocks, then
// carries out the transition's effects: nothing foreign runs under the lock.
//
// Threads:
//   - the rebalancer, started by start(), joined by stop(): sleeps on
//     rebalancer_cv_ until the model's next deadline or a kick, runs
//     PoolModel::tick(), delivers state changes to on_state_change;
//   - connector_threads workers, started by start(), joined by stop(): wait
//     on work_cv_ for a task (connect, is_valid, close) and run it unlocked;
//   - claimers wait on their own Waiter's word (futex), never on the mutex
//     once queued: a release hands the connection over and wakes only them.
//
// Files: pool_core.cpp (life cycle, effects, stats, the C API), claim.cpp
// (claim, try_claim, release), threads.cpp (the rebalancer and workers).
#pragma once

#include "pool_mutex.hpp"
#include "../observability/probes.hpp"
#include "../model/pool_model.hpp"

#include <cueball/detail/clock.hpp>
#include <cueball/detail/pool_core.hpp>

#include <condition_variable>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball::detail {

class PoolCore {
public:
    // Options must have passed validate_options(). `clock` null: steady_clock.
    PoolCore(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory,
             std::shared_ptr<Clock> clock);
    ~PoolCore();
    PoolCore(const PoolCore&) = delete;
    PoolCore& operator=(const PoolCore&) = delete;

    // Starts the threads, then the resolver. On failure the pool is stopped
    // and the exception propagates.
    void start() EXCLUDES(mu_);
    Slot* claim(const ClaimRequest& request) EXCLUDES(mu_);
    Slot* try_claim(const CallSite& site) EXCLUDES(mu_);
    void release(Slot* slot, bool discard) noexcept EXCLUDES(mu_);
    PoolStats stats() const EXCLUDES(mu_);
    void resize(std::size_t max_connections) EXCLUDES(mu_);
    void refresh() EXCLUDES(mu_);
    void stop() noexcept EXCLUDES(mu_);
    // The pool object is gone. True if no handle remains, so the caller must
    // delete the core; otherwise the last release() deletes it.
    bool orphan() EXCLUDES(mu_);

private:
    // ---- claim.cpp
    // A claim that waits, or may: `held` is the lock the fast path took (with
    // `claim_id`), or null to take it here (then with cancellation).
    Slot* claim_waiting(PoolLock* held, const ClaimRequest& request, std::uint64_t claim_id) NO_THREAD_SAFETY_ANALYSIS;
    // Waits for the waiter's word until its deadline; then asks the model.
    void wait_for_word(Waiter& waiter) EXCLUDES(mu_);
    Slot* served(Waiter& waiter) EXCLUDES(mu_);
    [[noreturn]] void throw_failed(const Waiter& waiter) const;
    // Times one claim in use_time_sample: the claimer owns the slot now.
    void maybe_time(std::uint64_t claim_id, Slot* slot) const {
        if ((claim_id & use_time_mask_) == 0 && slot->claimed_at == TimePoint{}) slot->claimed_at = now();
    }
    // claim-start (with_start), claim-done and handle-claimed, if traced.
    void fire_claimed(std::uint64_t claim_id, const Slot* slot, std::chrono::nanoseconds wait, bool with_start) const {
        if (CUEBALL_PROBE_ENABLED(claim__start) || CUEBALL_PROBE_ENABLED(claim__done) ||
            CUEBALL_PROBE_ENABLED(handle__claimed)) {
            fire_claimed_probes(claim_id, slot, wait, with_start);
        }
    }
    [[gnu::cold]] void fire_claimed_probes(std::uint64_t claim_id, const Slot* slot, std::chrono::nanoseconds wait,
                                           bool with_start) const;
    [[gnu::always_inline]] bool reset(Slot* slot) noexcept;
    [[gnu::cold]] void reset_failed(const Slot* slot, const std::string& why) noexcept;

    // ---- threads.cpp
    void rebalancer_main() EXCLUDES(mu_);
    void worker_main() EXCLUDES(mu_);
    TaskResult run(const Task& task);
    void deliver_state_changes() EXCLUDES(mu_);

    // ---- pool_core.cpp
    TimePoint now() const { return clock_ ? clock_->now() : SteadyClock::now(); }
    // Prepares an Effects for a transition: log level, tracing.
    void prepare(Effects& fx) REQUIRES(mu_);
    // Publishes what the transition decided and unlocks; then carries out
    // the rest off the lock.
    // Unlocks through `lock`, which the analysis cannot tie to mu_.
    void finish(PoolLock& lock, Effects& fx) REQUIRES(mu_) RELEASE(mu_) NO_THREAD_SAFETY_ANALYSIS;
    void carry_out(Effects::Rare& rare);
    void fire(const ProbeEvent& event) const;
    void on_clock_moved() EXCLUDES(mu_);

    const PoolOptions options_;
    const std::shared_ptr<Resolver> resolver_;
    const ErasedFactory factory_;
    const std::shared_ptr<spdlog::logger> log_;
    const std::shared_ptr<Clock> clock_;
    const bool plain_;  // model_.plain(), readable without the lock
    // Claims whose id has none of these bits set are timed (use_time_sample).
    const std::uint64_t use_time_mask_;

    mutable PoolMutex mu_;
    PoolModel model_ GUARDED_BY(mu_);
    std::size_t idle_workers_ GUARDED_BY(mu_) = 0;
    bool rebalancer_waiting_ GUARDED_BY(mu_) = false;
    bool rebalancer_kicked_ GUARDED_BY(mu_) = false;  // it has work it has not seen yet
    bool stop_begun_ GUARDED_BY(mu_) = false;
    bool stopped_ GUARDED_BY(mu_) = false;   // stop() has finished
    bool orphaned_ GUARDED_BY(mu_) = false;  // the ConnectionPool object is gone
    bool resolver_claimed_ = false;          // written by start() only, before any other thread
    std::condition_variable_any rebalancer_cv_;  // waits with mu_
    std::condition_variable_any work_cv_;        // waits with mu_
    std::condition_variable_any stopped_cv_;     // waits with mu_, for stopped_
    // Requested by stop() before it joins the workers, so that connections
    // that honour Connection::pool_stop_token() give up a blocked call.
    std::stop_source stopping_source_;
    std::uint64_t clock_token_ = 0;  // written by start() only

    // Written by start() before any other thread exists, joined by the one
    // stop() call that begins the stop.
    std::thread rebalancer_;
    std::vector<std::thread> workers_;
};

// Throws InvalidArgument naming the first bad field.
void validate_options(const PoolOptions& options);

}  // namespace cueball::detail
