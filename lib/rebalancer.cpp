// The rebalancer thread and the rules it applies: debounced resolver events,
// the even spread of max_connections over healthy backends, backoff retries of
// failing backends, connect timeouts, decoherence and health checks.
#include "pool_core.hpp"
#include "spread.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cueball::detail {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

constexpr std::chrono::hours kIdleWake{1};

}  // namespace

void PoolCore::rebalancer_main() {
    MutexLock lock(mu_);
    while (!stopping_) {
        const Clock::time_point now = Clock::now();
        if (!events_.empty() && now >= last_event_ + options_.rebalance_delay) apply_events(now);
        if (state_ == PoolState::Starting && now >= running_at_) {
            // The resolver has had its debounce window: an empty pool is now
            // "running with no backends" rather than still starting.
            set_state(PoolState::Running);
            update_state();
        }
        Clock::time_point wake = std::min(now + kIdleWake, expire_connects(now));
        if (options_.spares > 0) wake = std::min(wake, resize(now));
        if (fill_needed_ || now >= next_retry_) fill(now);
        if (options_.decoherence_interval.count() > 0) {
            if (now >= next_shuffle_) {
                shuffle_idle();
                next_shuffle_ = now + options_.decoherence_interval;
            }
            wake = std::min(wake, next_shuffle_);
        }
        if (options_.health_check_interval.count() > 0) {
            if (now >= next_health_check_) {
                start_health_checks();
                next_health_check_ = now + options_.health_check_interval;
            }
            wake = std::min(wake, next_health_check_);
        }
        if (options_.max_lifetime.count() > 0) wake = std::min(wake, expire_lifetimes(now));
        if (options_.claim_warning_threshold.count() > 0) wake = std::min(wake, warn_long_claims(now));
        if (state_ == PoolState::Starting) wake = std::min(wake, running_at_);
        if (!events_.empty()) wake = std::min(wake, last_event_ + options_.rebalance_delay);
        wake = std::min(wake, next_retry_);
        if (!state_changes_.empty()) {
            deliver_state_changes();
            continue;
        }
        if (fill_needed_) continue;
        rebalancer_wake_ = wake;
        rebalancer_cv_.wait_until(lock.native(), wake);
        rebalancer_wake_ = Clock::time_point::min();
    }
}

void PoolCore::apply_events(Clock::time_point now) {
    if (CUEBALL_PROBE_ENABLED(rebalance__start)) probe::rebalance_start(where(0, nullptr));
    std::size_t added = 0, removed = 0;
    for (ResolverEvent& event : events_) {
        std::visit(Overloaded{
                       [&](BackendAdded& e) REQUIRES(mu_) {
                           auto it = backends_.find(e.key);
                           if (it == backends_.end()) {
                               auto entry = std::make_unique<BackendEntry>();
                               entry->key = e.key;
                               entry->backend = std::move(e.backend);
                               if (CUEBALL_PROBE_ENABLED(backend__added)) probe::backend_added(where(entry.get()));
                               backends_.emplace(e.key, std::move(entry));
                               ++added;
                           } else if (it->second->removed) {
                               // Back while still draining: keep its open connections.
                               it->second->removed = false;
                               live_current_ += it->second->live();
                               if (CUEBALL_PROBE_ENABLED(backend__added)) probe::backend_added(where(it->second.get()));
                               ++added;
                           } else {
                               log_->warn("pool {}: backend {} added twice; ignored", options_.name, e.key);
                           }
                       },
                       [&](BackendRemoved& e) REQUIRES(mu_) {
                           auto it = backends_.find(e.key);
                           if (it == backends_.end() || it->second->removed) {
                               log_->warn("pool {}: unknown backend {} removed; ignored", options_.name, e.key);
                               return;
                           }
                           it->second->removed = true;
                           live_current_ -= it->second->live();
                           if (CUEBALL_PROBE_ENABLED(backend__removed)) probe::backend_removed(where(it->second.get()));
                           ++removed;
                       },
                   },
                   event);
    }
    events_.clear();
    log_->info("pool {}: rebalancing after {} added, {} removed", options_.name, added, removed);
    retarget();
    fill(now);
    if (state_ == PoolState::Starting) set_state(PoolState::Running);
    update_state();
    if (CUEBALL_PROBE_ENABLED(rebalance__done)) probe::rebalance_done(where(0, nullptr));
}

void PoolCore::retarget() {
    std::vector<BackendEntry*> healthy, failing;
    for (auto& [key, entry] : backends_) {
        entry->target = 0;
        if (entry->removed) continue;
        (entry->failing() ? failing : healthy).push_back(entry.get());
    }
    // Failing backends give their share to the healthy ones and keep only a
    // probe (see refill); when none is healthy, all share as usual.
    std::vector<BackendEntry*>& group = healthy.empty() ? failing : healthy;
    std::sort(group.begin(), group.end(), [](auto* a, auto* b) { return a->key < b->key; });
    std::vector<std::size_t> current;
    current.reserve(group.size());
    for (BackendEntry* entry : group) current.push_back(entry->live());
    std::vector<std::size_t> targets = spread_evenly(size_, current);
    for (std::size_t i = 0; i < group.size(); ++i) group[i]->target = targets[i];

    // Trim what is now surplus: queued connects first (nothing lost), then
    // idle connections. Claimed ones are closed by place() when released.
    for (auto& [key, entry] : backends_) {
        if (entry->live() > entry->target) cancel_queued_connects(entry.get(), entry->target);
    }
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* next = decltype(idle_)::next(slot);
        if (slot->entry->live() > slot->entry->target) {
            idle_.erase(slot);
            transition(slot, SlotState::Closing);
            enqueue_task(slot);
        }
        slot = next;
    }
    for (auto it = backends_.begin(); it != backends_.end();) {
        BackendEntry* entry = (it++)->second.get();
        forget_if_drained(entry);
    }
    request_fill();
}

void PoolCore::cancel_queued_connects(BackendEntry* entry, std::size_t keep) {
    for (Slot* slot = entry->tasks.front(); slot != nullptr && entry->live() > keep;) {
        Slot* next = decltype(entry->tasks)::next(slot);
        if (slot->state == SlotState::Connecting) {
            entry->tasks.erase(slot);
            destroy_slot(slot);
        }
        slot = next;
    }
    if (entry->in_ready && entry->tasks.empty()) {
        // Keeps the ready ring's promise: every entry in it has a task.
        ready_.erase(entry);
        entry->in_ready = false;
    }
}

void PoolCore::fill(Clock::time_point now) {
    fill_needed_ = false;
    capped_ = false;
    next_retry_ = Clock::time_point::max();
    for (auto& [key, entry] : backends_) {
        if (!refill(entry.get(), now)) capped_ = true;
    }
}

bool PoolCore::refill(BackendEntry* entry, Clock::time_point now) {
    if (entry->removed || stopping_) return true;
    if (entry->failing()) {
        // One probe at a time, at the backoff schedule, whatever the target:
        // it is how the backend gets its share back. place() closes the probe
        // if the pool turns out to be full when it succeeds.
        if (entry->in(SlotState::Connecting) > 0) return true;
        if (now < entry->next_attempt) {
            next_retry_ = std::min(next_retry_, entry->next_attempt);
            return true;
        }
        if (churn_allows(entry, now)) enqueue_task(new_slot(entry));
        return true;
    }
    while (entry->live() < entry->target) {
        if (live_current_ >= size_) return false;
        if (!churn_allows(entry, now)) return true;
        enqueue_task(new_slot(entry));
    }
    return true;
}

bool PoolCore::churn_allows(BackendEntry* entry, Clock::time_point now) {
    const double rate = options_.max_churn_rate;
    if (rate <= 0) return true;
    // A token bucket holding one second's worth (at least one connect).
    const double capacity = std::max(1.0, rate);
    if (entry->churn_refilled == Clock::time_point{}) {
        entry->churn_tokens = capacity;
    } else {
        const double elapsed = std::chrono::duration<double>(now - entry->churn_refilled).count();
        entry->churn_tokens = std::min(capacity, entry->churn_tokens + elapsed * rate);
    }
    entry->churn_refilled = now;
    if (entry->churn_tokens >= 1.0) {
        entry->churn_tokens -= 1.0;
        return true;
    }
    ++entry->counters.churn_delays;
    const auto wait = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>((1.0 - entry->churn_tokens) / rate));
    const Clock::time_point retry = now + wait + std::chrono::milliseconds(1);
    next_retry_ = std::min(next_retry_, retry);
    if (retry < rebalancer_wake_) rebalancer_cv_.notify_one();
    return false;
}

void PoolCore::record_connect_failure(BackendEntry* entry, const std::string& error, Clock::time_point now) {
    const bool was_healthy = !entry->failing();
    ++entry->consecutive_failures;
    ++entry->counters.connect_failures;
    entry->last_error = error;
    last_error_ = error;
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    if (options_.dead_after_failures > 0 && entry->consecutive_failures >= options_.dead_after_failures &&
        !entry->dead) {
        entry->dead = true;
        log_->warn("pool {}: backend {} is dead after {} failed connects; probing every {} ms", options_.name,
                   entry->key, entry->consecutive_failures, options_.backoff_max.count());
        if (CUEBALL_PROBE_ENABLED(backend__dead)) probe::backend_dead(where(entry), error);
        update_state();
    }
    // A dead backend is probed at the longest delay (jittered like the rest).
    const std::uint64_t step = entry->dead ? UINT64_MAX : entry->consecutive_failures;
    entry->next_attempt = now + backoff_delay(step, backoff_, u01(rng_));
    if (was_healthy) {
        log_->warn("pool {}: backend {} failing: {}", options_.name, entry->key, error);
        if (CUEBALL_PROBE_ENABLED(backend__offline)) probe::backend_offline(where(entry), error);
        // From now on it gets one attempt at a time, at the backoff schedule.
        cancel_queued_connects(entry, 0);
        if (!entry->removed) retarget();
    } else {
        log_->debug("pool {}: backend {} failed {} times in a row: {}", options_.name, entry->key,
                    entry->consecutive_failures, error);
    }
    request_fill();
}

void PoolCore::record_connect_success(BackendEntry* entry) {
    ++entry->counters.connects;
    const bool came_online = !entry->online || entry->failing();
    entry->online = true;
    if (came_online && CUEBALL_PROBE_ENABLED(backend__online)) probe::backend_online(where(entry));
    if (!entry->failing()) return;
    log_->warn("pool {}: backend {} recovered after {} failed connects", options_.name, entry->key,
               entry->consecutive_failures);
    entry->consecutive_failures = 0;
    if (entry->dead) {
        entry->dead = false;
        update_state();
    }
    if (!entry->removed) retarget();
}

Clock::time_point PoolCore::expire_connects(Clock::time_point now) {
    Clock::time_point next = Clock::time_point::max();
    for (Slot* slot = inflight_.front(); slot != nullptr; slot = decltype(inflight_)::next(slot)) {
        if (slot->state != SlotState::Connecting) continue;
        const Clock::time_point deadline = slot->started + options_.connect_timeout;
        if (now < deadline) {
            next = std::min(next, deadline);
            continue;
        }
        transition(slot, SlotState::Abandoned);
        record_connect_failure(
            slot->entry, fmt::format("connect did not finish within {} ms", options_.connect_timeout.count()), now);
    }
    return next;
}

void PoolCore::shuffle_idle() {
    std::vector<Slot*> slots;
    slots.reserve(idle_.size());
    while (Slot* slot = idle_.pop_front()) slots.push_back(slot);
    std::shuffle(slots.begin(), slots.end(), rng_);
    for (Slot* slot : slots) idle_.push_back(slot);
    if (CUEBALL_PROBE_ENABLED(decoherence__shuffle)) probe::decoherence_shuffle(where(0, nullptr));
    log_->debug("pool {}: shuffled {} idle connections", options_.name, slots.size());
}

void PoolCore::start_health_checks() {
    // A connection claimed since the last tick has just proved itself; check
    // the ones that were not.
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* next = decltype(idle_)::next(slot);
        if (slot->claim_epoch < epoch_) {
            idle_.erase(slot);
            transition(slot, SlotState::Checking);
            enqueue_task(slot);
        }
        slot = next;
    }
    ++epoch_;
}

}  // namespace cueball::detail
