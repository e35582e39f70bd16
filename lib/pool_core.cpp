// PoolCore: construction, shutdown, slot transitions, placement of free
// connections, and stats. Claims are in claim.cpp, the rebalancer's rules in
// rebalancer.cpp and sizing.cpp, the workers in workers.cpp.
#include "pool_core.hpp"

#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cueball::detail {

namespace {

constexpr std::size_t kOldestClaimsShown = 5;

}  // namespace

const std::string& state_name(SlotState state) {
    static const std::array<std::string, kSlotStates> names{"none",     "connecting", "idle",     "claimed",
                                                            "checking", "closing",    "abandoned"};
    return names[idx(state)];
}

PoolCore::PoolCore(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory)
    : options_(std::move(options)),
      resolver_(std::move(resolver)),
      factory_(std::move(factory)),
      log_(options_.logger ? options_.logger : quiet_stderr_logger(options_.name)),
      backoff_{options_.backoff_initial, options_.backoff_max, options_.backoff_multiplier,
               options_.backoff_jitter},
      plain_(options_.spares == 0 && options_.max_lifetime.count() == 0 && !options_.validate_on_claim &&
             options_.claim_warning_threshold.count() == 0),
      rng_(std::random_device{}()) {}

PoolCore::~PoolCore() = default;

void PoolCore::start() {
    {
        MutexLock lock(mu_);
        const Clock::time_point now = Clock::now();
        next_shuffle_ = now + options_.decoherence_interval;
        next_health_check_ = now + options_.health_check_interval;
        running_at_ = now + options_.rebalance_delay;
        size_ = options_.spares > 0 ? std::min(options_.max_connections, options_.spares) : options_.max_connections;
    }
    try {
        rebalancer_ = std::thread([this] { rebalancer_main(); });
        for (std::size_t i = 0; i < options_.connector_threads; ++i) {
            workers_.emplace_back([this] { worker_main(); });
        }
        resolver_->start([this](ResolverEvent event) { on_event(std::move(event)); });
    } catch (...) {
        stop();
        throw;
    }
}

probe::Where PoolCore::where(std::uint64_t claim_id, const Slot* slot) const {
    return {options_.name, claim_id, slot != nullptr ? slot->id : 0,
            slot != nullptr ? slot->entry->key : probe::none()};
}

probe::Where PoolCore::where(const BackendEntry* entry) const { return {options_.name, 0, 0, entry->key}; }

Slot* PoolCore::new_slot(BackendEntry* entry) {
    auto* slot = new Slot;
    slot->entry = entry;
    slot->backend = &entry->backend;
    slot->id = next_slot_id_++;
    transition(slot, SlotState::Connecting);
    return slot;
}

void PoolCore::destroy_slot(Slot* slot) {
    transition(slot, SlotState::None);
    delete slot;
}

void PoolCore::forget_if_drained(BackendEntry* entry) {
    if (entry->removed && entry->slots() == 0 && entry->running == 0) {
        log_->debug("pool {}: backend {} drained", options_.name, entry->key);
        retired_counters_ += entry->counters;
        retired_claim_wait_ += entry->wait_histogram();
        backends_.erase(entry->key);
    }
}

void PoolCore::start_close(Slot* slot) {
    BackendEntry* entry = slot->entry;
    const bool was_live = is_live(slot->state);
    if (slot->connection) {
        transition(slot, SlotState::Closing);
        enqueue_task(slot);
    } else {
        destroy_slot(slot);
    }
    if (was_live) {
        // A connection went away: its backend may want a replacement, and
        // capacity may have freed up for a backend that was held back.
        refill(entry, Clock::now());
        if (capped_) request_fill();
    }
    forget_if_drained(entry);
}

void PoolCore::enqueue_task(Slot* slot) {
    slot->entry->tasks.push_back(slot);
    make_ready(slot->entry);
}

void PoolCore::make_ready(BackendEntry* entry) {
    if (entry->in_ready || entry->tasks.empty() || entry->running >= options_.connects_per_backend) return;
    ready_.push_back(entry);
    entry->in_ready = true;
    if (idle_workers_ > 0) work_cv_.notify_one();
}

void PoolCore::request_fill() {
    if (!fill_needed_) {
        fill_needed_ = true;
        rebalancer_cv_.notify_one();
    }
}

void PoolCore::on_event(ResolverEvent event) {
    MutexLock lock(mu_);
    if (stopping_) {
        log_->debug("pool {}: resolver event after stop ignored", options_.name);
        return;
    }
    events_.push_back(std::move(event));
    last_event_ = Clock::now();
    rebalancer_cv_.notify_one();
}

PoolStats PoolCore::stats() const {
    PoolStats stats;
    stats.name = options_.name;
    stats.max_connections = options_.max_connections;
    MutexLock lock(mu_);
    const Clock::time_point now = Clock::now();
    stats.state = state_;
    stats.target_connections = size_;
    stats.counters = counters_;
    stats.counters += retired_counters_;
    stats.claim_wait = retired_claim_wait_;
    stats.idle_connections = count_[idx(SlotState::Idle)] + count_[idx(SlotState::Checking)];
    stats.claimed_connections = count_[idx(SlotState::Claimed)];
    stats.total_connections = stats.idle_connections + stats.claimed_connections;
    stats.pending_connections = count_[idx(SlotState::Connecting)];
    stats.waiters = waiters_.size();
    stats.backends.reserve(backends_.size());
    for (const auto& [key, entry] : backends_) {
        BackendStats b;
        b.key = key;
        b.backend = entry->backend;
        b.idle = entry->in(SlotState::Idle) + entry->in(SlotState::Checking);
        b.claimed = entry->in(SlotState::Claimed);
        b.connecting = entry->in(SlotState::Connecting);
        b.connect_failures = entry->counters.connect_failures;
        b.state = entry->state();
        b.target = entry->target;
        b.consecutive_failures = entry->consecutive_failures;
        if (entry->failing() && !entry->removed) {
            b.retry_in =
                std::chrono::ceil<std::chrono::milliseconds>(std::max(entry->next_attempt - now, Clock::duration(0)));
        }
        b.last_error = entry->last_error;
        b.counters = entry->counters;
        b.claim_wait = entry->wait_histogram();
        stats.counters += b.counters;
        stats.claim_wait += b.claim_wait;
        stats.backends.push_back(std::move(b));
    }
    if (options_.claim_warning_threshold.count() > 0) {
        for (const Slot* slot = claimed_.front(); slot != nullptr && stats.oldest_claims.size() < kOldestClaimsShown;
             slot = decltype(claimed_)::next(slot)) {
            stats.oldest_claims.push_back(
                {slot->claim_id, slot->entry->key,
                 std::chrono::duration_cast<std::chrono::milliseconds>(now - slot->claimed_at), slot->site});
        }
    }
    lock.unlock();
    std::sort(stats.backends.begin(), stats.backends.end(),
              [](const BackendStats& a, const BackendStats& b) { return a.key < b.key; });
    return stats;
}

void PoolCore::stop() noexcept {
    {
        MutexLock lock(mu_);
        if (stopping_) {
            while (!stopped_) stopped_cv_.wait(lock.native());
            return;
        }
        stopping_ = true;
        set_state(PoolState::Stopping);
        while (Waiter* waiter = waiters_.pop_front()) {
            waiter->wake = Wake::Stopped;
            waiter->cv.notify_one();
        }
        rebalancer_cv_.notify_all();
        work_cv_.notify_all();
    }
    stopping_source_.request_stop();
    try {
        resolver_->stop();
    } catch (const std::exception& e) {
        log_->error("pool {}: resolver stop() threw: {}", options_.name, e.what());
    } catch (...) {
        log_->error("pool {}: resolver stop() threw", options_.name);
    }
    if (rebalancer_.joinable()) rebalancer_.join();
    for (std::thread& worker : workers_) worker.join();

    // Every thread is gone: what is left is idle, queued, or claimed. Close
    // all but the claimed ones, which release() closes as they come back.
    std::vector<std::unique_ptr<Connection>> to_close;
    {
        MutexLock lock(mu_);
        auto take = [&](Slot* slot) REQUIRES(mu_) {
            if (slot->connection) to_close.push_back(std::move(slot->connection));
            destroy_slot(slot);
        };
        while (Slot* slot = idle_.pop_front()) take(slot);
        while (BackendEntry* entry = ready_.pop_front()) entry->in_ready = false;
        for (auto& [key, entry] : backends_) {
            while (Slot* slot = entry->tasks.pop_front()) take(slot);
        }
        events_.clear();
    }
    for (auto& connection : to_close) connection->close();
    to_close.clear();
    MutexLock lock(mu_);
    set_state(PoolState::Stopped);
    deliver_state_changes();
    stopped_ = true;
    stopped_cv_.notify_all();
    log_->info("pool {}: stopped", options_.name);
}

bool PoolCore::orphan() {
    MutexLock lock(mu_);
    orphaned_ = true;
    return count_[idx(SlotState::Claimed)] == 0;
}

std::string PoolCore::slot_site(const Slot* slot) const {
    return fmt::format("{}:{} ({})", slot->site.file, slot->site.line, slot->site.function);
}

// ---------------------------------------------------------------- the C API

PoolCore* core_create(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory) {
    validate_options(options);
    if (!resolver) throw InvalidArgument("cueball pool '" + options.name + "': resolver is null");
    if (!factory) throw InvalidArgument("cueball pool '" + options.name + "': connection factory is empty");
    auto core = std::make_unique<PoolCore>(std::move(options), std::move(resolver), std::move(factory));
    core->start();
    return core.release();
}

void core_destroy(PoolCore* core) noexcept {
    core->stop();
    if (core->orphan()) delete core;
}

SlotView* core_claim(PoolCore* core, const ClaimRequest& request) { return core->claim(request); }
SlotView* core_try_claim(PoolCore* core, const CallSite& site) { return core->try_claim(site); }
void core_release(PoolCore* core, SlotView* slot, bool discard) noexcept {
    core->release(static_cast<Slot*>(slot), discard);
}
PoolStats core_stats(const PoolCore* core) { return core->stats(); }
void core_stop(PoolCore* core) { core->stop(); }

void throw_invalid_handle() {
    throw InvalidHandle("cueball: use of an empty PoolHandle (released, discarded or moved from)");
}

}  // namespace cueball::detail
