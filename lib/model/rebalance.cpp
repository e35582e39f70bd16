// The rebalancer's rules: debounced resolver events, the spread of the
// pool's size over the backends (rules/spread.hpp), filling up to it under
// the cap, probes of failing and dead backends, backoff, outlier ejection,
// and runtime resize and refresh.
#include "pool_model.hpp"
#include "../rules/churn.hpp"
#include "../rules/outlier.hpp"
#include "../rules/spread.hpp"

#include <algorithm>
#include <variant>

namespace cueball::detail {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

void PoolModel::queue_event(ResolverEvent event, TimePoint now, Effects& fx,
                            std::shared_ptr<BackendMetrics> metrics) {
    if (stopping_) {
        fx.log(LogLevel::Debug, "pool {}: resolver event after stop ignored", options_.name);
        return;
    }
    events_.push_back({std::move(event), std::move(metrics)});
    if (pending_.first == kNever) pending_.first = now;
    pending_.last = now;
    fx.wake_rebalancer = true;
}

void PoolModel::resolver_started(TimePoint now, Effects& fx) {
    running_at_ = after(now, options_.rebalance_delay);
    fx.wake_rebalancer = true;
}

void PoolModel::request_resize(std::size_t max_connections, Effects& fx) {
    resize_to_ = max_connections;
    fx.wake_rebalancer = true;
}

void PoolModel::request_refresh(Effects& fx) {
    refresh_pending_ = true;
    fx.wake_rebalancer = true;
}

void PoolModel::apply_events(TimePoint now, Effects& fx) {
    trace({ProbeKind::RebalanceStart, 0, 0, {}, {}, {}});
    std::size_t added = 0, removed = 0, updated = 0;
    for (QueuedEvent& queued : events_) {
        std::visit(Overloaded{
                       [&](BackendAdded& e) {
                           auto it = backends_.find(e.key);
                           if (it == backends_.end()) {
                               auto entry = std::make_unique<BackendEntry>();
                               entry->metrics =
                                   queued.metrics ? std::move(queued.metrics) : std::make_shared<BackendMetrics>();
                               entry->key = e.key;
                               entry->identity = std::make_shared<const BackendIdentity>(
                                   BackendIdentity{e.key, std::move(e.backend)});
                               ++backends_in_[static_cast<std::size_t>(entry->state)];
                               trace({ProbeKind::BackendAdded, 0, 0, e.key, {}, {}});
                               backends_.emplace(e.key, std::move(entry));
                               reorder_needed_ = true;
                               ++added;
                               return;
                           }
                           BackendEntry* entry = it->second.get();
                           const bool changed = !(entry->identity->backend == e.backend);
                           if (changed) {
                               entry->identity =
                                   std::make_shared<const BackendIdentity>(BackendIdentity{e.key, std::move(e.backend)});
                           }
                           if (entry->removed()) {
                               // Back while still draining: it keeps its open connections.
                               set_backend_state(entry, entry->health, fx);
                               trace({ProbeKind::BackendAdded, 0, 0, e.key, {}, {}});
                               ++added;
                           } else if (changed) {
                               fx.log(LogLevel::Info, "pool {}: backend {} updated: priority {}, weight {}",
                                      options_.name, e.key, entry->identity->backend.priority,
                                      entry->identity->backend.weight);
                               ++updated;
                           } else {
                               fx.log(LogLevel::Warn, "pool {}: backend {} added twice; ignored", options_.name, e.key);
                           }
                       },
                       [&](BackendRemoved& e) {
                           auto it = backends_.find(e.key);
                           if (it == backends_.end() || it->second->removed()) {
                               fx.log(LogLevel::Warn, "pool {}: unknown backend {} removed; ignored", options_.name,
                                      e.key);
                               return;
                           }
                           set_backend_state(it->second.get(), BackendState::Draining, fx);
                           trace({ProbeKind::BackendRemoved, 0, 0, e.key, {}, {}});
                           ++removed;
                       },
                   },
                   queued.event);
    }
    events_.clear();
    pending_ = {};
    fx.log(LogLevel::Info, "pool {}: rebalancing after {} added, {} removed, {} updated", options_.name, added, removed,
           updated);
    started_ = true;
    retarget(fx);
    fill(now, fx);
    // Forget drained backends only after the retarget has closed what they held.
    for (auto it = backends_.begin(); it != backends_.end();) {
        BackendEntry* entry = (it++)->second.get();
        forget_if_drained(entry, fx);
    }
    update_state(fx);
    trace({ProbeKind::RebalanceDone, 0, 0, {}, {}, {}});
}

const std::vector<BackendEntry*>& PoolModel::ordered() {
    if (reorder_needed_) {
        ordered_.clear();
        ordered_.reserve(backends_.size());
        for (auto& [key, entry] : backends_) ordered_.push_back(entry.get());
        std::sort(ordered_.begin(), ordered_.end(), [](auto* a, auto* b) { return a->key < b->key; });
        reorder_needed_ = false;
    } else if (!forgotten_.empty()) {
        std::erase_if(ordered_, [](const BackendEntry* entry) { return entry->forgotten; });
    }
    forgotten_.clear();
    return ordered_;
}

void PoolModel::retarget(Effects& fx, bool prefer_current) {
    retarget_needed_ = false;
    std::vector<SpreadInput> inputs;
    std::vector<BackendEntry*> members;
    inputs.reserve(backends_.size());
    members.reserve(backends_.size());
    for (BackendEntry* entry : ordered()) {
        entry->target = 0;
        if (entry->removed()) continue;
        const Backend& b = entry->identity->backend;
        inputs.push_back({entry->state, entry->open(), entry->live(), b.priority, b.weight});
        members.push_back(entry);
    }
    const std::vector<std::size_t> targets = plan_targets(size_, inputs, rotation_, prefer_current);
    std::size_t usable_without = 0;
    std::uint16_t tier = UINT16_MAX;
    for (const SpreadInput& in : inputs) {
        if (usable(in.state)) tier = std::min(tier, in.priority);
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
        members[i]->target = targets[i];
        if (usable(inputs[i].state) && inputs[i].priority == tier && targets[i] == 0) ++usable_without;
    }
    spread_short_ = usable_without > 0 && size_ > 0;
    trim(fx);
    fill_needed_ = true;
    fx.wake_rebalancer = true;
}

void PoolModel::trim(Effects& fx) {
    // What is now surplus: queued connects first (nothing lost), then idle
    // connections. Claimed ones are closed by place() when they come back.
    for (BackendEntry* entry : ordered()) {
        if (entry->live() > entry->target) cancel_queued_connects(entry, entry->target, fx);
    }
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* next = decltype(idle_)::next(slot);
        if (slot->entry->live() > slot->entry->target) start_close(slot, fx);
        slot = next;
    }
}

void PoolModel::cancel_queued_connects(BackendEntry* entry, std::size_t keep, Effects& fx) {
    for (Slot* slot = entry->tasks.front(); slot != nullptr && entry->live() > keep;) {
        Slot* next = decltype(entry->tasks)::next(slot);
        if (slot->state == SlotState::Connecting) destroy_slot(slot, fx);
        slot = next;
    }
    if (entry->in_ready && entry->tasks.empty()) {
        // Keeps the ready ring's promise: every backend in it has a task.
        ready_.erase(entry);
        entry->in_ready = false;
    }
}

void PoolModel::fill(TimePoint now, Effects& fx) {
    fill_needed_ = false;
    capped_ = false;
    next_retry_ = kNever;
    probes_waiting_ = 0;
    if (stopping_) return;
    // Probes first: a place that came free for a probe must go to it.
    for (BackendEntry* entry : ordered()) {
        if (!entry->removed() && entry->state != BackendState::Ejected && failing_or_dead(entry->health)) {
            probe_backend(entry, now, fx);
        }
    }
    for (BackendEntry* entry : ordered()) {
        if (entry->removed() || entry->state == BackendState::Ejected || failing_or_dead(entry->health)) continue;
        while (entry->live() < entry->target) {
            if (occupied_ >= size_) {
                capped_ = true;
                break;
            }
            if (!churn_allows(entry, now)) break;
            new_slot(entry, fx);
        }
    }
}

void PoolModel::refill(BackendEntry* entry, TimePoint now, Effects& fx) {
    if (stopping_) return;
    if (!entry->removed() && entry->state != BackendState::Ejected && !failing_or_dead(entry->health) &&
        entry->live() < entry->target && occupied_ < size_ && probes_waiting_ == 0 && churn_allows(entry, now)) {
        new_slot(entry, fx);
        return;
    }
    if (capped_ || probes_waiting_ > 0 || entry->live() < entry->target) {
        fill_needed_ = true;
        fx.wake_rebalancer = true;
    }
}

void PoolModel::probe_backend(BackendEntry* entry, TimePoint now, Effects& fx) {
    // One connect at a time, on the backoff schedule: it is how a failing
    // or dead backend is found again.
    if (entry->in(SlotState::Connecting) > 0) return;
    if (now < entry->next_attempt) {
        next_retry_ = std::min(next_retry_, entry->next_attempt);
        return;
    }
    if (occupied_ >= size_) {
        // The cap holds for probes too: make a place first.
        ++probes_waiting_;
        capped_ = true;
        make_room_for_probe(entry, fx);
        return;
    }
    if (churn_allows(entry, now)) new_slot(entry, fx);
}

void PoolModel::make_room_for_probe(const BackendEntry* entry, Effects& fx) {
    // Closing a connection counts against the cap until close() returns, so
    // close one only if none is closing already.
    if (count_[idx(SlotState::Closing)] > 0) return;
    for (Slot* slot = idle_.front(); slot != nullptr; slot = decltype(idle_)::next(slot)) {
        if (slot->entry != entry) {
            start_close(slot, fx);
            return;
        }
    }
    // Nothing idle: place() closes the next connection released with nobody waiting.
}

bool PoolModel::churn_allows(BackendEntry* entry, TimePoint now) {
    const ChurnDecision d = churn_take(entry->churn, now, options_.max_churn_rate);
    if (d.allowed) return true;
    entry->metrics->churn_delays.add();
    next_retry_ = std::min(next_retry_, d.retry_at);
    return false;
}

void PoolModel::set_health(BackendEntry* entry, BackendState health, Effects& fx) {
    if (entry->removed() || entry->state == BackendState::Ejected) {
        entry->health = health;
    } else {
        set_backend_state(entry, health, fx);
    }
}

void PoolModel::record_connect_failure(BackendEntry* entry, const std::string& error, TimePoint now, Effects& fx) {
    entry->metrics->connect_failures.add();
    // Once the pool is stopping, a failed connect most likely gave up on
    // pool_stop_token(): counted, but not the backend's fault.
    if (stopping_) return;
    ++entry->consecutive_failures;
    entry->last_error = std::make_shared<const std::string>(error);
    last_error_ = error;
    const bool was_healthy = !failing_or_dead(entry->health);
    const bool now_dead = options_.dead_after_failures > 0 &&
                          entry->consecutive_failures >= options_.dead_after_failures &&
                          entry->health != BackendState::Dead;
    if (now_dead) {
        set_health(entry, BackendState::Dead, fx);
        fx.log(LogLevel::Warn, "pool {}: backend {} is dead after {} failed connects; probing every {} ms",
               options_.name, entry->key, entry->consecutive_failures, options_.backoff_max.count());
        trace({ProbeKind::BackendDead, 0, 0, entry->key, error, {}});
    } else if (was_healthy) {
        set_health(entry, BackendState::Failing, fx);
        fx.log(LogLevel::Warn, "pool {}: backend {} failing: {}", options_.name, entry->key, error);
        trace({ProbeKind::BackendOffline, 0, 0, entry->key, error, {}});
    } else {
        fx.log(LogLevel::Debug, "pool {}: backend {} failed {} times in a row: {}", options_.name, entry->key,
               entry->consecutive_failures, error);
    }
    if (now_dead || was_healthy) {
        // From now on it gets one connect at a time, on the backoff schedule;
        // it keeps the connections it holds until it is dead.
        cancel_queued_connects(entry, entry->open(), fx);
        retarget_needed_ = true;
        fx.wake_rebalancer = true;
        if (now_dead) update_state(fx);
    }
    // A dead backend is probed at the longest delay (jittered like the rest).
    const std::uint64_t step = entry->health == BackendState::Dead ? UINT64_MAX : entry->consecutive_failures;
    entry->next_attempt = after(now, backoff_delay(step, backoff_, uniform()));
    next_retry_ = std::min(next_retry_, entry->next_attempt);
    fill_needed_ = true;
    fx.wake_rebalancer = true;
}

void PoolModel::record_connect_success(BackendEntry* entry, TimePoint now, Effects& fx) {
    (void)now;
    entry->metrics->connects.add();
    const BackendState health = entry->health;
    entry->consecutive_failures = 0;
    if (health == BackendState::Online) return;
    set_health(entry, BackendState::Online, fx);
    trace({ProbeKind::BackendOnline, 0, 0, entry->key, {}, {}});
    if (failing_or_dead(health)) {
        fx.log(LogLevel::Warn, "pool {}: backend {} recovered", options_.name, entry->key);
        retarget_needed_ = true;
        fx.wake_rebalancer = true;
        if (health == BackendState::Dead) update_state(fx);
    }
}

void PoolModel::record_outcome(BackendEntry* entry, ReleaseKind kind, TimePoint now, Effects& fx) {
    if (entry->removed() || entry->state == BackendState::Ejected) return;
    // A connection whose reset failed is broken: a failure like a discard.
    if (kind == ReleaseKind::Returned) {
        record_success(entry->outlier);
        return;
    }
    const OutlierDetection& o = options_.outlier_detection;
    const OutlierPolicy policy{o.consecutive_failures, o.base_ejection_time,
                               std::max(o.base_ejection_time, options_.backoff_max), o.max_ejected_fraction};
    if (!record_failure(entry->outlier, policy, backends_in_[static_cast<std::size_t>(BackendState::Ejected)],
                        known_backends())) {
        return;
    }
    eject(entry->outlier, policy, now);
    set_backend_state(entry, BackendState::Ejected, fx);
    entry->metrics->ejections.add();
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until(now, entry->outlier.ejected_until));
    fx.log(LogLevel::Warn, "pool {}: backend {} ejected for {} ms after {} failed claims in a row", options_.name,
           entry->key, ms.count(), o.consecutive_failures);
    trace({ProbeKind::BackendEjected, 0, 0, entry->key, std::to_string(ms.count()), {}});
    next_readmit_ = std::min(next_readmit_, entry->outlier.ejected_until);
    // Its idle connections go now, not at the next retarget, so that no
    // claim in between gets one.
    for (Slot* slot = idle_.front(); slot != nullptr;) {
        Slot* next = decltype(idle_)::next(slot);
        if (slot->entry == entry) start_close(slot, fx);
        slot = next;
    }
    retarget_needed_ = true;
    fx.wake_rebalancer = true;
}

void PoolModel::readmit_due(TimePoint now, Effects& fx) {
    next_readmit_ = kNever;
    for (auto& [key, entry] : backends_) {
        if (entry->state != BackendState::Ejected) continue;
        if (now < entry->outlier.ejected_until) {
            next_readmit_ = std::min(next_readmit_, entry->outlier.ejected_until);
            continue;
        }
        readmit(entry->outlier, now);
        set_backend_state(entry.get(), entry->health, fx);
        fx.log(LogLevel::Info, "pool {}: backend {} readmitted", options_.name, key);
        retarget_needed_ = true;
    }
}

}  // namespace cueball::detail
