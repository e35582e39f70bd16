// Claims: serving from the idle FIFO, the FIFO of waiters, validation on
// claim, try_claim(), release, and the reasons a claim fails.
#include "pool_model.hpp"

#include <spdlog/fmt/fmt.h>

namespace cueball::detail {

ClaimStep PoolModel::begin_claim(Waiter& waiter, bool timeout_zero, TimePoint now, Effects& fx) {
    if (stopping_) {
        fail(waiter, Wake::Stopped);
        return ClaimStep::Failed;
    }
    const ClaimStep step = serve_or_queue(waiter, false, now, fx);
    if (step == ClaimStep::Waiting && timeout_zero) return end_wait(waiter, Wake::TimedOut, fx);
    return step;
}

ClaimStep PoolModel::serve_or_queue(Waiter& waiter, bool first, TimePoint now, Effects& fx) {
    // A claim whose connection failed validation keeps its place at the head
    // of the line; anyone else takes an idle connection only when nobody
    // waits (or, with bounded fairness, while the oldest has not waited long).
    if (first || waiters_.empty() || may_pass_over(now)) {
        if (Slot* slot = idle_.front()) {
            if (options_.validate_on_claim && !recently_used(slot, now)) {
                // Checked on a worker while the claim waits, so that a slow
                // is_valid() cannot hold the claim past its deadline.
                waiter.validating = slot;
                slot->waiter = &waiter;
                queue_task(slot, SlotState::Validating, At::Front, fx);
                return ClaimStep::Waiting;
            }
            lend(slot, SlotState::Idle, waiter.claim_id, waiter.site, now);
            waiter.slot = slot;
            if (options_.spares > 0) note_demand(fx);
            return ClaimStep::Served;
        }
    }
    if (state_ == PoolState::Failed || (waiter.fail_fast && state_ == PoolState::Running && known_backends() == 0)) {
        fail(waiter, Wake::Failed);
        return ClaimStep::Failed;
    }
    if (first) {
        waiters_.push_front(&waiter);
    } else {
        waiters_.push_back(&waiter);
    }
    waiter.queued = true;
    if (options_.spares > 0) note_demand(fx);
    return ClaimStep::Waiting;
}

ClaimStep PoolModel::retry(Waiter& waiter, TimePoint now, Effects& fx) {
    unpoke(&waiter);
    if (waiter.slot != nullptr) return ClaimStep::Served;
    if (waiter.wake != Wake::None) return ClaimStep::Failed;
    if (!waiter.queued || idle_.empty()) return ClaimStep::Waiting;
    // It was the oldest waiter: it takes the free connection, or goes back
    // to the head of the line.
    waiters_.erase(&waiter);
    waiter.queued = false;
    const ClaimStep step = serve_or_queue(waiter, true, now, fx);
    poke_next(fx);
    return step;
}

void PoolModel::poke_next(Effects& fx) {
    Waiter* oldest = waiters_.front();
    if (!bounded_ || poked_ || oldest == nullptr || idle_.empty()) return;
    poked_ = true;
    oldest->poked = true;
    fx.poke = oldest;
}

ClaimStep PoolModel::end_wait(Waiter& waiter, Wake why, Effects& fx) {
    if (waiter.slot != nullptr) return ClaimStep::Served;
    if (waiter.wake != Wake::None) return ClaimStep::Failed;
    unpoke(&waiter);
    if (waiter.queued) {
        waiters_.erase(&waiter);
        waiter.queued = false;
    }
    // If it was woken to compete for a free connection, the next in line does.
    poke_next(fx);
    // A connection being validated for it is placed or closed when its check
    // ends, off the caller's clock.
    if (waiter.validating != nullptr) {
        waiter.validating->waiter = nullptr;
        waiter.validating = nullptr;
    }
    fail(waiter, why);
    if (options_.spares > 0) note_demand(fx);
    return ClaimStep::Failed;
}

void PoolModel::fail(Waiter& waiter, Wake why) {
    waiter.wake = why;
    switch (why) {
        case Wake::Stopped: waiter.message = stopped_message(); break;
        case Wake::Failed:
            ++counters_.claims_failed_fast;
            waiter.message = failed_message();
            break;
        case Wake::Cancelled:
            ++counters_.claims_cancelled;
            waiter.message = fmt::format("cueball pool '{}': claim cancelled", options_.name);
            break;
        case Wake::TimedOut:
            ++counters_.claim_timeouts;
            waiter.message = timeout_message(waiter.timeout);
            break;
        case Wake::None: break;
    }
}

Slot* PoolModel::try_claim(std::uint64_t claim_id, const CallSite& site, TimePoint now, Effects& fx) {
    if (!waiters_.empty()) return nullptr;
    while (Slot* slot = idle_.front()) {
        if (options_.validate_on_claim && !recently_used(slot, now)) {
            // try_claim never waits for a check: this one is checked on a
            // worker and comes back to the idle queue for later claims.
            queue_task(slot, SlotState::Checking, At::Back, fx);
            continue;
        }
        lend(slot, SlotState::Idle, claim_id, site, now);
        if (options_.spares > 0) note_demand(fx);
        return slot;
    }
    return nullptr;
}

void PoolModel::release(Slot* slot, ReleaseKind kind, TimePoint now, Effects& fx) {
    BackendEntry* entry = slot->entry;
    if (kind == ReleaseKind::Discarded) {
        entry->metrics->discards.add();
    } else if (kind == ReleaseKind::ResetFailed) {
        entry->metrics->resets_failed.add();
    }
    if (!plain_) {
        if (slot->claimed_at != TimePoint{}) record_use(slot, now);
        if (options_.validate_on_claim) slot->last_used = now;
        if (options_.outlier_detection.consecutive_failures > 0) record_outcome(entry, kind, now, fx);
    }
    if (stopping_) {
        // No worker may be left to close it: the releasing thread does.
        if (slot->connection) fx.close(std::move(slot->connection));
        move(slot, SlotState::None);
        delete slot;
        forget_if_drained(entry, fx);
        return;
    }
    if (kind == ReleaseKind::Returned) {
        place(slot, now, fx);
    } else {
        start_close(slot, fx);
    }
}

void PoolModel::record_wait(Slot* slot, std::chrono::nanoseconds wait) {
    if (wait.count() > 0) slot->entry->metrics->claim_wait.record(wait);
}

void PoolModel::record_use(Slot* slot, TimePoint now) {
    slot->entry->metrics->use_time.record(until(slot->claimed_at, now));
    slot->claimed_at = TimePoint{};
}

bool PoolModel::recently_used(const Slot* slot, TimePoint now) const {
    return now < after(slot->last_used, options_.validation_bypass_window);
}

std::string PoolModel::timeout_message(std::chrono::milliseconds timeout) const {
    const std::size_t backends = known_backends();
    const std::size_t open =
        count_[idx(SlotState::Idle)] + count_[idx(SlotState::Claimed)] + count_[idx(SlotState::Checking)] +
        count_[idx(SlotState::Validating)];
    std::string why;
    if (backends == 0) {
        why = "no backends";
    } else if (open == 0) {
        why = fmt::format("{} backend{}, none connected (last error: {})", backends, backends == 1 ? "" : "s",
                          last_error_.empty() ? "no connect attempt has finished yet" : last_error_);
    } else if (count_[idx(SlotState::Claimed)] == 0) {
        why = fmt::format("all {} connections are being checked", open);
    } else {
        why = fmt::format("all {} connections claimed", count_[idx(SlotState::Claimed)]);
    }
    return fmt::format("cueball pool '{}': claim timed out after {} ms: {}", options_.name, timeout.count(), why);
}

std::string PoolModel::failed_message() const {
    const std::size_t backends = known_backends();
    if (backends == 0) return fmt::format("cueball pool '{}': no backends", options_.name);
    return fmt::format("cueball pool '{}': all {} backend{} dead (last error: {})", options_.name, backends,
                       backends == 1 ? " is" : "s are", last_error_);
}

std::string PoolModel::stopped_message() const { return fmt::format("cueball pool '{}' is stopped", options_.name); }

}  // namespace cueball::detail
