// claim() and release(): the hot path (lending, placing a returned
// connection), the FIFO of waiters, deadlines, cancellation, validation on
// claim, and the reasons a claim fails. The functions on the hot path live in
// this file so that the compiler can inline them into claim() and release().
#include "pool_core.hpp"

#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <optional>

namespace cueball::detail {

namespace {

// Longer than any real wait, short enough that now() + it cannot overflow.
constexpr std::chrono::hours kForever{24 * 365 * 100};

}  // namespace

// What a claim's stop_callback needs to find the claim's current waiter.
struct ClaimCancellation {
    bool cancelled = false;   // guarded by PoolCore::mu_
    void* waiter = nullptr;   // guarded by PoolCore::mu_: the queued Waiter, if any
};

Slot* PoolCore::claim(const ClaimRequest& request) {
    // (claim_timeout itself was checked by the constructor.)
    if (!request.default_timeout && request.timeout.count() < 0) {
        throw InvalidArgument(fmt::format("cueball pool '{}': claim timeout must not be negative (got {} ms)",
                                          options_.name, request.timeout.count()));
    }
    const std::chrono::milliseconds timeout = request.default_timeout ? options_.claim_timeout : request.timeout;
    // Claims that may be cancelled or need validation take claim_slow();
    // the others are served here, under one acquisition of the lock.
    if (request.stop != nullptr || (!plain_ && options_.validate_on_claim)) return claim_slow(request, timeout);
    MutexLock lock(mu_);
    const std::uint64_t claim_id = next_claim_id_++;
    if (CUEBALL_PROBE_ENABLED(claim__start)) probe::claim_start(where(claim_id, nullptr));
    if (!stopping_ && waiters_.empty()) {
        // The fast path: an idle connection and nobody ahead of us.
        if (Slot* slot = idle_.pop_front()) {
            lend(slot, claim_id, request.site);
            if (!plain_ && options_.spares > 0) note_demand();
            claim_done(slot, Clock::duration(0));
            return slot;
        }
    }
    Clock::time_point start{};
    Slot* slot = await_slot(lock, request, timeout, claim_id, nullptr, false, start);
    claim_done(slot, start == Clock::time_point{} ? Clock::duration(0) : Clock::now() - start);
    return slot;
}

Slot* PoolCore::claim_slow(const ClaimRequest& request, std::chrono::milliseconds timeout) {
    // The callback may run on the cancelling thread at any time, or at once
    // (inline) if the token is already stopped: it is set up before mu_ is
    // taken, and destroyed after mu_ is released (declaration order), since
    // its destructor waits for a running callback that may be waiting for mu_.
    ClaimCancellation cancellation;
    auto cancel = [this, &cancellation] {
        MutexLock lock(mu_);
        cancellation.cancelled = true;
        auto* waiter = static_cast<Waiter*>(cancellation.waiter);
        if (waiter != nullptr && waiter->slot == nullptr && waiter->wake == Wake::None) {
            waiters_.erase(waiter);
            waiter->wake = Wake::Cancelled;
            waiter->cv.notify_one();
        }
    };
    std::optional<std::stop_callback<decltype(cancel)>> on_stop;
    if (request.stop != nullptr) on_stop.emplace(*request.stop, cancel);

    MutexLock lock(mu_);
    const std::uint64_t claim_id = next_claim_id_++;
    if (CUEBALL_PROBE_ENABLED(claim__start)) probe::claim_start(where(claim_id, nullptr));
    Clock::time_point start{};  // set when the claim first has to wait
    for (bool first = false;; first = true) {
        Slot* slot = await_slot(lock, request, timeout, claim_id, &cancellation, first, start);
        if (options_.validate_on_claim && !recently_used(slot, Clock::now())) {
            lock.unlock();
            bool valid = false;
            try {
                valid = slot->connection->is_valid();
            } catch (...) {
                valid = false;
            }
            lock.lock();
            if (!valid) {
                log_->debug("pool {}: connection to {} failed validation on claim", options_.name, slot->entry->key);
                ++slot->entry->counters.validations_failed;
                if (options_.claim_warning_threshold.count() > 0) claimed_.erase(slot);
                if (!stopping_) {
                    start_close(slot);
                    continue;
                }
                // stop() ran meanwhile: no worker is left to close it.
                std::unique_ptr<Connection> connection = std::move(slot->connection);
                destroy_slot(slot);
                lock.unlock();
                connection->close();
                connection.reset();
                lock.lock();
                continue;
            }
        }
        claim_done(slot, start == Clock::time_point{} ? Clock::duration(0) : Clock::now() - start);
        return slot;
    }
}

Slot* PoolCore::await_slot(MutexLock& lock, const ClaimRequest& request, std::chrono::milliseconds timeout,
                           std::uint64_t claim_id, ClaimCancellation* cancellation, bool first,
                           Clock::time_point& start) {
    if (cancellation != nullptr && cancellation->cancelled) fail_claim(claim_id, Wake::Cancelled, "");
    if (stopping_) fail_claim(claim_id, Wake::Stopped, stopped_message());
    // A claimer retrying after a failed validation keeps its place at the
    // head of the line; anyone else takes an idle connection only when
    // nobody is waiting.
    if (first || waiters_.empty()) {
        if (Slot* slot = idle_.pop_front()) {
            lend(slot, claim_id, request.site);
            if (options_.spares > 0) note_demand();
            return slot;
        }
    }
    if (state_ == PoolState::Failed) fail_claim(claim_id, Wake::Failed, failed_message());
    const bool fail_fast = request.fail_fast < 0 ? options_.fail_fast : request.fail_fast == 1;
    if (fail_fast && state_ == PoolState::Running && live_current_ == 0) {
        bool any = false;
        for (const auto& [key, entry] : backends_) any = any || !entry->removed;
        if (!any) fail_claim(claim_id, Wake::Failed, failed_message());
    }
    if (timeout.count() == 0) fail_claim(claim_id, Wake::None, timeout_message(timeout));
    if (start == Clock::time_point{}) start = Clock::now();
    const Clock::time_point deadline = start + std::min<Clock::duration>(timeout, kForever);

    Waiter waiter;
    waiter.claim_id = claim_id;
    waiter.site = request.site;
    if (first) {
        waiters_.push_front(&waiter);
    } else {
        waiters_.push_back(&waiter);
    }
    if (cancellation != nullptr) cancellation->waiter = &waiter;
    note_demand();
    while (waiter.slot == nullptr && waiter.wake == Wake::None) {
        if (waiter.cv.wait_until(lock.native(), deadline) == std::cv_status::timeout && waiter.slot == nullptr &&
            waiter.wake == Wake::None) {
            waiters_.erase(&waiter);
            if (cancellation != nullptr) cancellation->waiter = nullptr;
            fail_claim(claim_id, Wake::None, timeout_message(timeout));
        }
    }
    if (cancellation != nullptr) cancellation->waiter = nullptr;
    // Whoever woke us without a connection took us off the list.
    if (waiter.slot == nullptr) {
        fail_claim(claim_id, waiter.wake, waiter.wake == Wake::Stopped ? stopped_message() : failed_message());
    }
    return waiter.slot;
}

bool PoolCore::recently_used(const Slot* slot, Clock::time_point now) const {
    return now - slot->last_used < options_.validation_bypass_window;
}

Slot* PoolCore::try_claim(const CallSite& site) {
    MutexLock lock(mu_);
    if (stopping_) throw_stopped();
    if (!waiters_.empty()) return nullptr;
    Slot* slot = idle_.pop_front();
    if (slot != nullptr) {
        lend(slot, next_claim_id_++, site);
        if (options_.spares > 0) note_demand();
        claim_done(slot, Clock::duration(0));
    }
    return slot;
}

void PoolCore::release(Slot* slot, bool discard) noexcept {
    // Outside the lock, the slot's claim id and backend key are stable: the
    // slot is still Claimed, so nobody else touches it.
    if (CUEBALL_PROBE_ENABLED(handle__returned)) probe::handle_returned(where(slot->claim_id, slot));
    bool reset_ok = true;
    if (!discard) {
        if (CUEBALL_PROBE_ENABLED(reset__start)) probe::reset_start(where(slot->claim_id, slot));
        try {
            reset_ok = slot->connection->reset();
            if (!reset_ok) reset_failed(slot, "reset() returned false");
        } catch (const std::exception& e) {
            reset_ok = false;
            reset_failed(slot, std::string("reset() threw: ") + e.what());
        } catch (...) {
            reset_ok = false;
            reset_failed(slot, "reset() threw a non-standard exception");
        }
        if (reset_ok && CUEBALL_PROBE_ENABLED(reset__done)) probe::reset_done(where(slot->claim_id, slot));
    }
    const Clock::time_point now = (!plain_ && options_.validate_on_claim) ? Clock::now() : Clock::time_point{};
    MutexLock lock(mu_);
    if (!plain_ && options_.claim_warning_threshold.count() > 0) claimed_.erase(slot);
    slot->last_used = now;
    if (discard) {
        ++slot->entry->counters.discards;
    } else if (!reset_ok) {
        ++slot->entry->counters.resets_failed;
    }
    if (stopping_) {
        // No worker may be left to close it: close it here, on the releasing thread.
        std::unique_ptr<Connection> connection = std::move(slot->connection);
        BackendEntry* entry = slot->entry;
        destroy_slot(slot);
        forget_if_drained(entry);
        const bool last = orphaned_ && count_[idx(SlotState::Claimed)] == 0;
        lock.unlock();
        connection->close();
        connection.reset();
        if (last) delete this;
        return;
    }
    if (!discard && reset_ok) {
        place(slot);
    } else {
        start_close(slot);
    }
}

void PoolCore::reset_failed(const Slot* slot, const std::string& reason) {
    log_->debug("pool {}: connection to {} discarded: {}", options_.name, slot->entry->key, reason);
    if (CUEBALL_PROBE_ENABLED(reset__failed)) probe::reset_failed(where(slot->claim_id, slot), reason);
}

void PoolCore::fail_claim(std::uint64_t claim_id, Wake why, const std::string& message) {
    std::string text = message;
    if (why == Wake::Cancelled) text = fmt::format("cueball pool '{}': claim cancelled", options_.name);
    if (CUEBALL_PROBE_ENABLED(claim__failed)) probe::claim_failed(where(claim_id, nullptr), text);
    switch (why) {
        case Wake::Stopped: throw PoolStopped(text);
        case Wake::Failed: ++counters_.claims_failed_fast; throw NoBackendsAvailable(text);
        case Wake::Cancelled: ++counters_.claims_cancelled; throw ClaimCancelled(text);
        case Wake::None: break;
    }
    ++counters_.claim_timeouts;
    throw ClaimTimeout(text);
}

std::string PoolCore::timeout_message(std::chrono::milliseconds timeout) const {
    std::size_t backends = 0;
    for (const auto& [key, entry] : backends_) backends += entry->removed ? 0 : 1;
    const std::size_t open = count_[static_cast<std::size_t>(SlotState::Idle)] +
                             count_[static_cast<std::size_t>(SlotState::Claimed)] +
                             count_[static_cast<std::size_t>(SlotState::Checking)];
    std::string why;
    if (backends == 0) {
        why = "no backends";
    } else if (open == 0) {
        why = fmt::format("{} backend{}, none connected (last error: {})", backends, backends == 1 ? "" : "s",
                          last_error_.empty() ? "no connect attempt has finished yet" : last_error_);
    } else {
        why = fmt::format("all {} connections claimed", count_[static_cast<std::size_t>(SlotState::Claimed)]);
    }
    return fmt::format("cueball pool '{}': claim timed out after {} ms: {}", options_.name, timeout.count(), why);
}

std::string PoolCore::failed_message() const {
    std::size_t backends = 0;
    for (const auto& [key, entry] : backends_) backends += entry->removed ? 0 : 1;
    if (backends == 0) return fmt::format("cueball pool '{}': no backends", options_.name);
    return fmt::format("cueball pool '{}': all {} backend{} dead (last error: {})", options_.name, backends,
                       backends == 1 ? " is" : "s are", last_error_);
}

std::string PoolCore::stopped_message() const { return fmt::format("cueball pool '{}' is stopped", options_.name); }

void PoolCore::throw_stopped() const { throw PoolStopped(stopped_message()); }

}  // namespace cueball::detail
