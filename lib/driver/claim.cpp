// claim(), try_claim() and release(): the claim and release path, waiting on
// a waiter's word with a deadline, cancellation, reset() on the releasing
// thread, and the errors a claim throws.
#include "pool_core.hpp"
#include "futex.hpp"
#include "../observability/probes.hpp"

#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <optional>

namespace cueball::detail {

namespace {

// How long a waiter spins on its word before it sleeps in the kernel: long
// enough to catch a hand-off from a thread that is about to release, short
// enough that a waiter that must sleep wastes little CPU.
constexpr int kSpins = 64;
// The longest a waiter sleeps at a time, so that a clock that jumps costs at
// most this much.
constexpr std::chrono::seconds kLongestNap{1};

}  // namespace

Slot* PoolCore::claim(const ClaimRequest& request) {
    // (claim_timeout itself was checked by the constructor.)
    if (!request.default_timeout && request.timeout.count() < 0) {
        throw InvalidArgument(fmt::format("cueball pool '{}': claim timeout must not be negative (got {} ms)",
                                          options_.name, request.timeout.count()));
    }
    if (!plain_ || request.stop != nullptr) return claim_waiting(nullptr, request, 0);
    // The fast path: an idle connection and nobody ahead of us.
    PoolLock lock(mu_);
    const std::uint64_t claim_id = model_.next_claim_id();
    const bool traced = CUEBALL_PROBE_ENABLED(slot__state__change);
    Slot* slot = model_.claim_now(claim_id, request.site, traced);
    if (slot == nullptr) return claim_waiting(&lock, request, claim_id);
    if (traced) {
        Effects fx;
        finish(lock, fx);
    } else {
        lock.unlock();
    }
    maybe_time(claim_id, slot);
    fire_claimed(claim_id, slot, std::chrono::nanoseconds(0), true);
    return slot;
}

Slot* PoolCore::claim_waiting(PoolLock* held, const ClaimRequest& request, std::uint64_t claim_id) {
    const std::chrono::milliseconds timeout = request.default_timeout ? options_.claim_timeout : request.timeout;
    Waiter waiter;
    waiter.fail_fast = request.fail_fast < 0 ? options_.fail_fast : request.fail_fast == 1;
    waiter.site = request.site;
    waiter.timeout = timeout;
    // A stop request takes the waiter out of the line at once. The callback
    // may run inline (the token already stopped) or on the cancelling thread
    // at any time: it is set up before the lock is taken, and destroyed
    // before the waiter (declaration order), since its destructor waits for
    // a callback that may be running.
    auto cancel = [this, &waiter] {
        PoolLock lock(mu_);
        if (waiter.slot != nullptr) return;
        Effects fx;
        model_.end_wait(waiter, Wake::Cancelled, fx);
        fx.woken.push_back(&waiter);
        finish(lock, fx);
    };
    std::optional<std::stop_callback<decltype(cancel)>> on_stop;
    std::optional<PoolLock> own;
    if (held == nullptr) {
        if (request.stop != nullptr) on_stop.emplace(*request.stop, cancel);
        held = &own.emplace(mu_);
        claim_id = model_.next_claim_id();
    }
    // A claim that must wait does so under the lock it took for the fast path.
    PoolLock& lock = *held;
    waiter.claim_id = claim_id;
    if (waiter.wake != Wake::None) {
        lock.unlock();
        throw_failed(waiter);
    }
    Effects fx;
    prepare(fx);
    const TimePoint start = now();
    waiter.since = start;
    waiter.deadline = after(start, timeout);
    const ClaimStep step = model_.begin_claim(waiter, timeout.count() == 0, start, fx);
    finish(lock, fx);
    if (CUEBALL_PROBE_ENABLED(claim__start)) probe::claim_start({options_.name, waiter.claim_id, 0, probe::none()});
    if (step == ClaimStep::Served) {
        maybe_time(waiter.claim_id, waiter.slot);
        fire_claimed(waiter.claim_id, waiter.slot, std::chrono::nanoseconds(0), false);
        return waiter.slot;
    }
    if (step == ClaimStep::Failed) throw_failed(waiter);
    wait_for_word(waiter);
    return served(waiter);
}

void PoolCore::wait_for_word(Waiter& waiter) {
    for (;;) {
        for (int i = 0; i < kSpins && waiter.word.load(std::memory_order_acquire) == Waiter::kWaiting; ++i) {
            cpu_relax();
        }
        while (waiter.word.load(std::memory_order_acquire) == Waiter::kWaiting) {
            const TimePoint t = now();
            if (t >= waiter.deadline) break;
            // A virtual clock wakes us when it moves: no real-time limit.
            const auto nap = clock_ ? std::chrono::nanoseconds(-1)
                                    : std::min<std::chrono::nanoseconds>(until(t, waiter.deadline), kLongestNap);
            futex_wait(waiter.word, Waiter::kWaiting, nap);
        }
        // Served or failed: the word published it, with no lock to take.
        if (waiter.word.load(std::memory_order_acquire) == Waiter::kDone) return;
        PoolLock lock(mu_);
        Effects fx;
        prepare(fx);
        ClaimStep step = ClaimStep::Waiting;
        const std::uint32_t word = waiter.word.load(std::memory_order_acquire);
        if (word == Waiter::kDone) {
            return;  // served or failed meanwhile
        } else if (word == Waiter::kWaiting) {
            // The deadline passed: leave the line, unless a connection came meanwhile.
            step = model_.end_wait(waiter, Wake::TimedOut, fx);
        } else {
            // Poked (bounded fairness): try for the free connection.
            waiter.word.store(Waiter::kWaiting, std::memory_order_relaxed);
            step = model_.retry(waiter, now(), fx);
        }
        finish(lock, fx);
        if (step != ClaimStep::Waiting) return;
    }
}

Slot* PoolCore::served(Waiter& waiter) {
    if (waiter.slot == nullptr) throw_failed(waiter);
    const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(until(waiter.since, now()));
    PoolModel::record_wait(waiter.slot, wait);
    maybe_time(waiter.claim_id, waiter.slot);
    fire_claimed(waiter.claim_id, waiter.slot, wait, false);
    return waiter.slot;
}

void PoolCore::throw_failed(const Waiter& waiter) const {
    if (CUEBALL_PROBE_ENABLED(claim__failed)) {
        probe::claim_failed({options_.name, waiter.claim_id, 0, probe::none()}, waiter.message);
    }
    switch (waiter.wake) {
        case Wake::Stopped: throw PoolStopped(waiter.message);
        case Wake::Failed: throw NoBackendsAvailable(waiter.message);
        case Wake::Cancelled: throw ClaimCancelled(waiter.message);
        case Wake::TimedOut:
        case Wake::None: break;
    }
    throw ClaimTimeout(waiter.message);
}

void PoolCore::fire_claimed_probes(std::uint64_t claim_id, const Slot* slot, std::chrono::nanoseconds wait,
                                   bool with_start) const {
    if (with_start && CUEBALL_PROBE_ENABLED(claim__start)) {
        probe::claim_start({options_.name, claim_id, 0, probe::none()});
    }
    if (CUEBALL_PROBE_ENABLED(claim__done)) {
        probe::claim_done({options_.name, claim_id, slot->id, slot->identity->key},
                          static_cast<std::uint64_t>(wait.count()));
    }
    if (CUEBALL_PROBE_ENABLED(handle__claimed)) {
        probe::handle_claimed({options_.name, claim_id, slot->id, slot->identity->key});
    }
}

Slot* PoolCore::try_claim(const CallSite& site) {
    PoolLock lock(mu_);
    if (model_.stopping()) {
        lock.unlock();
        throw PoolStopped(fmt::format("cueball pool '{}' is stopped", options_.name));
    }
    Effects fx;
    prepare(fx);
    const std::uint64_t claim_id = model_.next_claim_id();
    Slot* slot = model_.try_claim(claim_id, site, options_.validate_on_claim ? now() : TimePoint{}, fx);
    finish(lock, fx);
    if (slot != nullptr) {
        maybe_time(claim_id, slot);
        fire_claimed(claim_id, slot, std::chrono::nanoseconds(0), true);
    }
    return slot;
}

inline bool PoolCore::reset(Slot* slot) noexcept {
    if (CUEBALL_PROBE_ENABLED(reset__start)) {
        probe::reset_start({options_.name, slot->claim_id, slot->id, slot->identity->key});
    }
    try {
        if (slot->connection->reset()) {
            if (CUEBALL_PROBE_ENABLED(reset__done)) {
                probe::reset_done({options_.name, slot->claim_id, slot->id, slot->identity->key});
            }
            return true;
        }
        reset_failed(slot, "reset() returned false");
    } catch (const std::exception& e) {
        reset_failed(slot, std::string("reset() threw: ") + e.what());
    } catch (...) {
        reset_failed(slot, "reset() threw a non-standard exception");
    }
    return false;
}

void PoolCore::reset_failed(const Slot* slot, const std::string& why) noexcept {
    try {
        log_->debug("pool {}: connection to {} discarded: {}", options_.name, slot->identity->key, why);
    } catch (...) {
        // A logger that throws loses the line, not the connection's fate.
    }
    if (CUEBALL_PROBE_ENABLED(reset__failed)) {
        probe::reset_failed({options_.name, slot->claim_id, slot->id, slot->identity->key}, why);
    }
}

void PoolCore::release(Slot* slot, bool discard) noexcept {
    // Until the lock is taken the slot is still Claimed: nobody else
    // touches it, so its fields may be read without the lock.
    if (CUEBALL_PROBE_ENABLED(handle__returned)) {
        probe::handle_returned({options_.name, slot->claim_id, slot->id, slot->identity->key});
    }
    ReleaseKind kind = ReleaseKind::Discarded;
    if (!discard) kind = reset(slot) ? ReleaseKind::Returned : ReleaseKind::ResetFailed;
    if (plain_ && kind == ReleaseKind::Returned) {
        if (slot->claimed_at != TimePoint{}) PoolModel::record_use(slot, now());
        PoolLock lock(mu_);
        Effects fx;
        const bool traced = CUEBALL_PROBE_ENABLED(slot__state__change);
        if (!model_.release_plain(slot, traced, fx)) model_.place_released(slot, now(), fx);
        if (!traced && fx.empty()) return;
        const bool last = model_.stopping() && orphaned_ && model_.claimed() == 0;
        finish(lock, fx);
        if (last) delete this;
        return;
    }
    const TimePoint t = PoolModel::release_needs_time(options_, slot) ? now() : TimePoint{};
    PoolLock lock(mu_);
    Effects fx;
    prepare(fx);
    model_.release(slot, kind, t, fx);
    // The pool object is gone and this was its last handle: free the core.
    const bool last = model_.stopping() && orphaned_ && model_.claimed() == 0;
    finish(lock, fx);
    if (last) delete this;
}

}  // namespace cueball::detail
