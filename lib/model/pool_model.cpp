// PoolModel: construction, the bookkeeping of slots and backends, placement
// of free connections, stop, and the locked part of stats().
#include "pool_model.hpp"

#include <algorithm>

namespace cueball::detail {

namespace {

constexpr std::size_t kOldestClaimsShown = 5;

constexpr std::size_t bidx(BackendState s) { return static_cast<std::size_t>(s); }

}  // namespace

const std::string& state_name(SlotState state) {
    static const std::array<std::string, kSlotStates> names{"none",     "connecting", "idle",    "claimed",
                                                            "checking", "validating", "closing", "abandoned"};
    return names[idx(state)];
}

PoolModel::PoolModel(PoolOptions options, std::uint64_t seed, TimePoint now)
    : options_(std::move(options)),
      backoff_{options_.backoff_initial, options_.backoff_max, options_.backoff_multiplier, options_.backoff_jitter},
      plain_(is_plain(options_)),
      bounded_(options_.fairness.mode == FairnessMode::bounded),
      max_connections_(options_.max_connections),
      rng_(seed) {
    size_ = options_.spares > 0 ? std::min(max_connections_, options_.spares) : max_connections_;
    if (options_.decoherence_interval.count() > 0) next_shuffle_ = after(now, options_.decoherence_interval);
    if (options_.health_check_interval.count() > 0) next_health_check_ = after(now, options_.health_check_interval);
}

PoolModel::~PoolModel() {
    // Claimed slots belong to handles that outlive the pool: the driver
    // deletes the model only once none is left. Whatever else is left was
    // closed by finish_stop().
    for (auto& [key, entry] : backends_) {
        while (Slot* slot = entry->tasks.pop_front()) delete slot;
    }
    while (Slot* slot = idle_.pop_front()) delete slot;
    while (Slot* slot = running_.pop_front()) delete slot;
}

void PoolModel::set_backend_state(BackendEntry* entry, BackendState to, Effects& fx) {
    const BackendState from = entry->state;
    if (from == to) return;
    --backends_in_[bidx(from)];
    ++backends_in_[bidx(to)];
    // A removed backend's claimed connections are the only ones allowed over
    // the cap while they drain (see move_from()); its closing ones keep the
    // places they have.
    const std::size_t claimed = entry->in(SlotState::Claimed);
    if (to == BackendState::Draining) occupied_ -= claimed;
    if (from == BackendState::Draining) occupied_ += claimed;
    entry->state = to;
    if (to != BackendState::Draining && to != BackendState::Ejected) entry->health = to;
    (void)fx;
}

Slot* PoolModel::new_slot(BackendEntry* entry, Effects& fx) {
    auto* slot = new Slot;
    slot->entry = entry;
    slot->identity = entry->identity;
    slot->backend = &slot->identity->backend;
    slot->generation = generation_;
    slot->id = next_slot_id_++;
    queue_task(slot, SlotState::Connecting, At::Back, fx);
    return slot;
}

void PoolModel::destroy_slot(Slot* slot, Effects& fx) {
    BackendEntry* entry = slot->entry;
    if (slot->connection) fx.destroy(std::move(slot->connection));
    move(slot, SlotState::None);
    delete slot;
    note_lost(entry, fx);
}

void PoolModel::note_lost(BackendEntry* entry, Effects& fx) {
    // A failing backend keeps what it holds; what it loses goes to the others.
    if (entry->state == BackendState::Failing && entry->live() < entry->target) {
        retarget_needed_ = true;
        fx.wake_rebalancer = true;
    }
}

void PoolModel::forget_if_drained(BackendEntry* entry, Effects& fx) {
    if (!entry->removed() || entry->slots() != 0 || entry->running != 0) return;
    fx.log(LogLevel::Debug, "pool {}: backend {} drained", options_.name, entry->key);
    counters_ += entry->metrics->counters();
    retired_wait_ += entry->metrics->wait_histogram();
    retired_use_ += entry->metrics->use_time.snapshot();
    retired_create_ += entry->metrics->create_time.snapshot();
    if (entry->in_ready) ready_.erase(entry);
    --backends_in_[bidx(entry->state)];
    entry->forgotten = true;
    forgotten_.push_back(std::move(backends_.extract(entry->key).mapped()));
}

void PoolModel::unpoke(Waiter* waiter) {
    if (waiter->poked) {
        waiter->poked = false;
        poked_ = false;
    }
}

void PoolModel::serve(Waiter* waiter, Slot* slot, TimePoint now, Effects& fx) {
    unpoke(waiter);
    if (waiter->queued) {
        waiters_.erase(waiter);
        waiter->queued = false;
    }
    waiter->validating = nullptr;
    lend(slot, slot->state, waiter->claim_id, waiter->site, now);
    waiter->slot = slot;
    fx.woken.push_back(waiter);
}

void PoolModel::wake(Waiter* waiter, Wake why, Effects& fx) {
    unpoke(waiter);
    if (waiter->queued) {
        waiters_.erase(waiter);
        waiter->queued = false;
    }
    if (waiter->validating != nullptr) {
        waiter->validating->waiter = nullptr;
        waiter->validating = nullptr;
    }
    fail(*waiter, why);
    fx.woken.push_back(waiter);
}

bool PoolModel::close_if_unwanted(Slot* slot, TimePoint now, Effects& fx) {
    BackendEntry* entry = slot->entry;
    if (unwanted(slot)) {
        start_close(slot, fx);
        return true;
    }
    if (!plain_ && now >= slot->expires) {
        entry->metrics->expired.add();
        trace({ProbeKind::ConnectionExpired, 0, slot->id, entry->key, {}, {}});
        start_close(slot, fx);
        return true;
    }
    return false;
}

bool PoolModel::may_pass_over(TimePoint now) const {
    const Waiter* oldest = waiters_.front();
    return bounded_ && oldest != nullptr && until(oldest->since, now) < options_.fairness.max_wait;
}

void PoolModel::place(Slot* slot, TimePoint now, Effects& fx) {
    if (close_if_unwanted(slot, now, fx)) return;
    if (may_pass_over(now)) {
        // bounded fairness: the connection waits in the idle queue for
        // whoever claims first; the oldest waiter is woken to compete.
        move(slot, SlotState::Idle);
        poke_next(fx);
        return;
    }
    if (Waiter* waiter = waiters_.front()) {
        if (options_.validate_on_claim && !recently_used(slot, now)) {
            waiters_.pop_front();
            waiter->queued = false;
            waiter->validating = slot;
            slot->waiter = waiter;
            queue_task(slot, SlotState::Validating, At::Front, fx);
        } else {
            serve(waiter, slot, now, fx);
        }
        return;
    }
    move(slot, SlotState::Idle);
    if (!plain_) {
        if (slot->expires < planned_wake_) kick_ = true;
        if (options_.spares > 0) note_demand(fx);
    }
}

void PoolModel::place_released(Slot* slot, TimePoint now, Effects& fx) {
    if (stopping_) {
        release(slot, ReleaseKind::Returned, now, fx);
    } else {
        place(slot, now, fx);
    }
}

void PoolModel::start_close(Slot* slot, Effects& fx) {
    BackendEntry* entry = slot->entry;
    if (slot->connection) {
        queue_task(slot, SlotState::Closing, At::Back, fx);
        note_lost(entry, fx);
        return;
    }
    destroy_slot(slot, fx);
    // Its place is free now: its backend, or one held back, may use it.
    fill_needed_ = true;
    fx.wake_rebalancer = true;
    forget_if_drained(entry, fx);
}

void PoolModel::queue_task(Slot* slot, SlotState to, At at, Effects& fx) {
    move(slot, to, TaskPhase::Queued, at);
    make_ready(slot->entry, fx);
}

void PoolModel::make_ready(BackendEntry* entry, Effects& fx) {
    if (entry->in_ready || entry->tasks.empty() || entry->running >= options_.connects_per_backend) return;
    ready_.push_back(entry);
    entry->in_ready = true;
    fx.wake_worker = true;
}

void PoolModel::begin_stop(Effects& fx) {
    if (stopping_) return;
    stopping_ = true;
    set_state(PoolState::Stopping, fx);
    while (Waiter* waiter = waiters_.front()) wake(waiter, Wake::Stopped, fx);
    // Claims whose connection is being validated are waiting too.
    std::vector<Waiter*> validating;
    for_each_waiter([&](Waiter& w) { validating.push_back(&w); });
    for (Waiter* waiter : validating) wake(waiter, Wake::Stopped, fx);
    events_.clear();
    pending_ = {};
}

void PoolModel::finish_stop(Effects& fx) {
    // No worker is left: what remains is idle, queued, or claimed. Everything
    // but the claimed connections goes now; release() closes those.
    auto take = [&](Slot* slot) {
        if (slot->connection) fx.close(std::move(slot->connection));
        move(slot, SlotState::None);
        delete slot;
    };
    while (Slot* slot = idle_.front()) take(slot);
    while (BackendEntry* entry = ready_.pop_front()) entry->in_ready = false;
    for (auto& [key, entry] : backends_) {
        while (Slot* slot = entry->tasks.front()) take(slot);
    }
    while (Slot* slot = running_.front()) take(slot);
    set_state(PoolState::Stopped, fx);
}

StatsCapture PoolModel::capture_stats(TimePoint now) const {
    StatsCapture c;
    c.state = state_;
    c.max_connections = max_connections_;
    c.target = size_;
    c.idle = count_[idx(SlotState::Idle)] + count_[idx(SlotState::Checking)] + count_[idx(SlotState::Validating)];
    c.claimed = count_[idx(SlotState::Claimed)];
    c.pending = count_[idx(SlotState::Connecting)];
    c.waiters = waiters_.size();
    c.counters = counters_;
    c.retired_wait = retired_wait_;
    c.retired_use = retired_use_;
    c.retired_create = retired_create_;
    c.backends.reserve(backends_.size());
    for (const auto& [key, entry] : backends_) {
        StatsCapture::Backend& b = c.backends.emplace_back();
        b.identity = entry->identity;
        b.last_error = entry->last_error;
        b.metrics = entry->metrics;
        b.idle = entry->in(SlotState::Idle) + entry->in(SlotState::Checking) + entry->in(SlotState::Validating);
        b.claimed = entry->in(SlotState::Claimed);
        b.connecting = entry->in(SlotState::Connecting);
        b.target = entry->target;
        b.state = entry->state;
        b.consecutive_failures = entry->consecutive_failures;
        if (failing_or_dead(entry->health) && !entry->removed()) {
            b.retry_in = std::chrono::ceil<std::chrono::milliseconds>(until(now, entry->next_attempt));
        }
        if (entry->state == BackendState::Ejected) {
            b.ejected_for = std::chrono::ceil<std::chrono::milliseconds>(until(now, entry->outlier.ejected_until));
        }
    }
    if (options_.claim_warning_threshold.count() > 0) {
        for (const Slot* slot = claimed_.front(); slot != nullptr && c.oldest_claims.size() < kOldestClaimsShown;
             slot = decltype(claimed_)::next(slot)) {
            c.oldest_claims.push_back({slot->claim_id, slot->entry->key,
                                       std::chrono::duration_cast<std::chrono::milliseconds>(until(slot->claimed_at, now)),
                                       slot->site});
        }
    }
    return c;
}

std::vector<std::pair<PoolState, PoolState>> PoolModel::take_state_changes() {
    std::vector<std::pair<PoolState, PoolState>> out;
    out.swap(state_changes_);
    return out;
}

std::size_t PoolModel::known_backends() const {
    return backends_.size() - backends_in_[bidx(BackendState::Draining)];
}

}  // namespace cueball::detail
