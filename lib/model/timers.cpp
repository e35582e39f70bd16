// What the rebalancer does on time: applying resolver events after their
// debounce, the end of Starting, connect timeouts, resize and refresh,
// readmission of ejected backends, spares, decoherence and the spread's
// rotation, health checks, lifetimes and long claims; and the pool's state.
#include "pool_model.hpp"
#include "../rules/lifetime.hpp"
#include "../rules/pool_state.hpp"
#include "../rules/sizing.hpp"

#include <algorithm>

namespace cueball::detail {

namespace {

// The rebalancer sleeps at most this long, so that a clock that jumps or a
// missed wake-up costs at most this much.
constexpr std::chrono::hours kLongestSleep{1};

}  // namespace

TimePoint PoolModel::tick(TimePoint now, Effects& fx) {
    if (stopping_) return kNever;
    // Events first, so that the pool is never Running without the backends
    // its resolver has already reported: when Starting ends, whatever is
    // queued is applied even if its own debounce has not run out.
    const std::chrono::milliseconds max_delay = options_.rebalance_max_delay;
    const bool starting_ends = !started_ && now >= running_at_;
    const bool events_due = apply_events_at(pending_, options_.rebalance_delay, max_delay) <= now;
    if (pending_.first != kNever && (events_due || starting_ends)) apply_events(now, fx);
    if (!started_ && now >= running_at_) {
        started_ = true;
        update_state(fx);
    }
    if (resize_to_ != 0) {
        fx.log(LogLevel::Info, "pool {}: max_connections {} -> {}", options_.name, max_connections_, resize_to_);
        max_connections_ = resize_to_;
        resize_to_ = 0;
        size_ = options_.spares > 0 ? std::min(max_connections_, std::max(size_, options_.spares)) : max_connections_;
        retarget_needed_ = true;
    }
    if (refresh_pending_) {
        refresh_pending_ = false;
        ++generation_;
        fx.log(LogLevel::Info, "pool {}: refresh: replacing every connection", options_.name);
        for (Slot* slot = idle_.front(); slot != nullptr;) {
            Slot* next = decltype(idle_)::next(slot);
            start_close(slot, fx);
            slot = next;
        }
        fill_needed_ = true;
    }
    if (next_readmit_ <= now) readmit_due(now, fx);
    TimePoint wake = std::min(after(now, kLongestSleep), expire_connects(now, fx));
    if (options_.spares > 0) wake = std::min(wake, resize_for_demand(now, fx));
    if (retarget_needed_) retarget(fx);
    if (options_.decoherence_interval.count() > 0) {
        if (now >= next_shuffle_) {
            shuffle_idle(fx);
            // With fewer connections than backends, each shuffle also moves
            // the spread's +1s on, so that every backend gets its turn.
            if (spread_short_) {
                ++rotation_;
                retarget(fx, false);
            }
            next_shuffle_ = after(now, options_.decoherence_interval);
        }
        wake = std::min(wake, next_shuffle_);
    }
    if (fill_needed_ || now >= next_retry_) fill(now, fx);
    if (options_.health_check_interval.count() > 0) {
        if (now >= next_health_check_) {
            start_health_checks(fx);
            next_health_check_ = after(now, options_.health_check_interval);
        }
        wake = std::min(wake, next_health_check_);
    }
    if (options_.max_lifetime.count() > 0) wake = std::min(wake, expire_lifetimes(now, fx));
    if (options_.claim_warning_threshold.count() > 0) wake = std::min(wake, warn_long_claims(now, fx));
    if (!started_) wake = std::min(wake, running_at_);
    wake = std::min({wake, apply_events_at(pending_, options_.rebalance_delay, max_delay), next_retry_, next_readmit_});
    planned_wake_ = wake;
    return wake;
}

void PoolModel::update_state(Effects& fx) {
    // Dead by health, not by state: ejecting a dead backend, or readmitting
    // one that died meanwhile, changes neither what it is nor the pool.
    std::size_t dead = 0;
    for (const auto& [key, entry] : backends_) {
        if (!entry->removed() && entry->health == BackendState::Dead) ++dead;
    }
    const PoolState next = decide_pool_state({stopping_, false, started_, known_backends(), dead});
    if (next != state_) set_state(next, fx);
    if (state_ == PoolState::Failed) {
        while (Waiter* waiter = waiters_.front()) wake(waiter, Wake::Failed, fx);
    } else if (state_ == PoolState::Running && known_backends() == 0) {
        // Fail-fast claims made while the pool was starting fail now.
        for (Waiter* waiter = waiters_.front(); waiter != nullptr;) {
            Waiter* next_waiter = decltype(waiters_)::next(waiter);
            if (waiter->fail_fast) wake(waiter, Wake::Failed, fx);
            waiter = next_waiter;
        }
    }
}

void PoolModel::set_state(PoolState to, Effects& fx) {
    if (to == state_) return;
    fx.log(LogLevel::Info, "pool {}: {} -> {}", options_.name, to_string(state_), to_string(to));
    trace({ProbeKind::PoolStateChange, 0, 0, {}, to_string(state_), to_string(to)});
    if (options_.on_state_change) {
        state_changes_.emplace_back(state_, to);
        fx.state_changed = true;
    }
    state_ = to;
}

TimePoint PoolModel::expire_connects(TimePoint now, Effects& fx) {
    TimePoint next = kNever;
    for (Slot* slot = running_.front(); slot != nullptr;) {
        Slot* after_slot = decltype(running_)::next(slot);
        if (slot->state == SlotState::Connecting) {
            const TimePoint deadline = after(slot->started, options_.connect_timeout);
            if (now < deadline) {
                next = std::min(next, deadline);
            } else {
                move(slot, SlotState::Abandoned, TaskPhase::Running);
                record_connect_failure(
                    slot->entry, fmt::format("connect did not finish within {} ms", options_.connect_timeout.count()),
                    now, fx);
            }
        }
        slot = after_slot;
    }
    return next;
}

void PoolModel::shuffle_idle(Effects& fx) {
    std::vector<Slot*> slots;
    slots.reserve(idle_.size());
    while (Slot* slot = idle_.pop_front()) slots.push_back(slot);
    std::shuffle(slots.begin(), slots.end(), rng_);
    for (Slot* slot : slots) idle_.push_back(slot);
    trace({ProbeKind::DecoherenceShuffle, 0, 0, {}, {}, {}});
    fx.log(LogLevel::Debug, "pool {}: shuffled {} idle connections", options_.name, slots.size());
}

void PoolModel::start_health_checks(Effects& fx) {
    // A connection claimed since the last tick has just proved itself; check
    // the ones that were not.
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* next = decltype(idle_)::next(slot);
        if (slot->claim_epoch < epoch_) queue_task(slot, SlotState::Checking, At::Back, fx);
        slot = next;
    }
    ++epoch_;
}

TimePoint PoolModel::expire_lifetimes(TimePoint now, Effects& fx) {
    TimePoint next = kNever;
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* after_slot = decltype(idle_)::next(slot);
        if (slot->expires <= now) {
            slot->entry->metrics->expired.add();
            trace({ProbeKind::ConnectionExpired, 0, slot->id, slot->entry->key, {}, {}});
            start_close(slot, fx);
        } else {
            next = std::min(next, slot->expires);
        }
        slot = after_slot;
    }
    return next;
}

TimePoint PoolModel::warn_long_claims(TimePoint now, Effects& fx) {
    // claimed_ is in claim order, so the scan stops at the first claim that
    // is still young enough.
    for (Slot* slot = claimed_.front(); slot != nullptr; slot = decltype(claimed_)::next(slot)) {
        const TimePoint due = after(slot->claimed_at, options_.claim_warning_threshold);
        if (now < due) return due;
        if (slot->warned) continue;
        slot->warned = true;
        slot->entry->metrics->long_claims.add();
        const std::string site = claim_site(slot);
        fx.log(LogLevel::Warn, "pool {}: connection to {} claimed for {} ms (over {} ms), claimed at {}", options_.name,
               slot->entry->key, std::chrono::duration_cast<std::chrono::milliseconds>(now - slot->claimed_at).count(),
               options_.claim_warning_threshold.count(), site);
        trace({ProbeKind::LongClaim, slot->claim_id, slot->id, slot->entry->key, site, {}});
    }
    return kNever;
}

TimePoint PoolModel::resize_for_demand(TimePoint now, Effects& fx) {
    const std::size_t demand =
        std::min(max_connections_, count_[idx(SlotState::Claimed)] + waiters_.size() + options_.spares);
    const SizingDecision d = decide_size({size_, demand, low_demand_since_, options_.idle_timeout}, now);
    low_demand_since_ = d.low_since;
    if (d.size != size_) {
        fx.log(LogLevel::Debug, "pool {}: {} from {} to {} connections", options_.name,
               d.size > size_ ? "growing" : "shrinking", size_, d.size);
        size_ = d.size;
        retarget_needed_ = true;
    }
    return d.next_look;
}

void PoolModel::note_demand(Effects& fx) {
    const std::size_t demand = count_[idx(SlotState::Claimed)] + waiters_.size() + options_.spares;
    if ((demand > size_ && size_ < max_connections_) || (demand < size_ && low_demand_since_ == kNever)) {
        fx.wake_rebalancer = true;
    }
}

std::string PoolModel::claim_site(const Slot* slot) const {
    return fmt::format("{}:{} ({})", slot->site.file, slot->site.line, slot->site.function);
}

}  // namespace cueball::detail
