// The rebalancer's slower duties: dynamic sizing (spares), connection
// lifetimes, long-claim warnings, and the pool's own state.
#include "pool_core.hpp"

#include <spdlog/spdlog.h>

namespace cueball::detail {

namespace {
constexpr double kLifetimeJitter = 0.1;
}  // namespace

void PoolCore::note_demand() {
    if (options_.spares == 0) return;
    const std::size_t demand = count_[static_cast<std::size_t>(SlotState::Claimed)] + waiters_.size() + options_.spares;
    if (demand > size_ && size_ < options_.max_connections) {
        request_fill();
    } else if (demand < size_ && low_demand_since_ == Clock::time_point::max()) {
        // Start the idle_timeout clock now rather than at the next wake-up.
        rebalancer_cv_.notify_one();
    }
}

Clock::time_point PoolCore::resize(Clock::time_point now) {
    const std::size_t demand =
        std::min(options_.max_connections,
                 count_[static_cast<std::size_t>(SlotState::Claimed)] + waiters_.size() + options_.spares);
    if (demand >= size_) {
        low_demand_since_ = Clock::time_point::max();
        if (demand > size_) {
            log_->debug("pool {}: growing from {} to {} connections", options_.name, size_, demand);
            size_ = demand;
            retarget();
        }
        return Clock::time_point::max();
    }
    // Shrink only once demand has stayed lower for idle_timeout: a burst
    // that comes back soon finds its connections still open.
    if (low_demand_since_ == Clock::time_point::max()) low_demand_since_ = now;
    if (now - low_demand_since_ >= options_.idle_timeout) {
        log_->debug("pool {}: shrinking from {} to {} connections", options_.name, size_, demand);
        size_ = demand;
        low_demand_since_ = Clock::time_point::max();
        retarget();
        return Clock::time_point::max();
    }
    // Demand is only seen when the rebalancer looks: look again soon.
    return std::min(low_demand_since_ + options_.idle_timeout,
                    now + std::max<Clock::duration>(options_.idle_timeout / 4, std::chrono::milliseconds(10)));
}

Clock::time_point PoolCore::lifetime_deadline(Clock::time_point connected) {
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    const auto jittered = std::chrono::duration_cast<Clock::duration>(
        options_.max_lifetime * (1.0 - kLifetimeJitter * u01(rng_)));
    return connected + jittered;
}

Clock::time_point PoolCore::expire_lifetimes(Clock::time_point now) {
    Clock::time_point next = Clock::time_point::max();
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* after = decltype(idle_)::next(slot);
        if (slot->expires <= now) {
            idle_.erase(slot);
            ++slot->entry->counters.expired;
            if (CUEBALL_PROBE_ENABLED(connection__expired)) probe::connection_expired(where(0, slot));
            start_close(slot);
        } else {
            next = std::min(next, slot->expires);
        }
        slot = after;
    }
    return next;
}

Clock::time_point PoolCore::warn_long_claims(Clock::time_point now) {
    // claimed_ is in claim order, so the scan stops at the first claim that
    // is still young enough.
    for (Slot* slot = claimed_.front(); slot != nullptr; slot = decltype(claimed_)::next(slot)) {
        const Clock::duration age = now - slot->claimed_at;
        if (age < options_.claim_warning_threshold) return slot->claimed_at + options_.claim_warning_threshold;
        if (slot->warned) continue;
        slot->warned = true;
        ++slot->entry->counters.long_claims;
        const std::string site = slot_site(slot);
        log_->warn("pool {}: connection to {} claimed for {} ms (over {} ms), claimed at {}", options_.name,
                   slot->entry->key, std::chrono::duration_cast<std::chrono::milliseconds>(age).count(),
                   options_.claim_warning_threshold.count(), site);
        if (CUEBALL_PROBE_ENABLED(long__claim)) probe::long_claim(where(slot->claim_id, slot), site);
    }
    return Clock::time_point::max();
}

void PoolCore::update_state() {
    if (stopping_ || state_ == PoolState::Starting) return;
    std::size_t known = 0, dead = 0;
    for (const auto& [key, entry] : backends_) {
        if (entry->removed) continue;
        ++known;
        dead += entry->dead ? 1 : 0;
    }
    const PoolState next = (known > 0 && dead == known) ? PoolState::Failed : PoolState::Running;
    if (next == state_) return;
    set_state(next);
    if (next == PoolState::Failed) {
        while (Waiter* waiter = waiters_.pop_front()) {
            waiter->wake = Wake::Failed;
            waiter->cv.notify_one();
        }
    }
}

void PoolCore::set_state(PoolState to) {
    if (to == state_) return;
    log_->info("pool {}: {} -> {}", options_.name, to_string(state_), to_string(to));
    if (CUEBALL_PROBE_ENABLED(pool__state__change)) {
        static const std::array<std::string, 5> names{"starting", "running", "failed", "stopping", "stopped"};
        probe::pool_state_change(where(0, nullptr), names[static_cast<std::size_t>(state_)],
                                 names[static_cast<std::size_t>(to)]);
    }
    if (options_.on_state_change) {
        state_changes_.emplace_back(state_, to);
        rebalancer_cv_.notify_one();
    }
    state_ = to;
}

void PoolCore::deliver_state_changes() {
    // Only the rebalancer delivers until stop() has joined it, then only
    // stop(): calls never overlap and keep their order.
    while (!state_changes_.empty()) {
        std::vector<std::pair<PoolState, PoolState>> changes;
        changes.swap(state_changes_);
        mu_.unlock();
        for (const auto& [from, to] : changes) {
            try {
                options_.on_state_change(from, to);
            } catch (const std::exception& e) {
                log_->error("pool {}: on_state_change threw: {}", options_.name, e.what());
            } catch (...) {
                log_->error("pool {}: on_state_change threw", options_.name);
            }
        }
        mu_.lock();
    }
}

}  // namespace cueball::detail
