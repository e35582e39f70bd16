// PoolCore: construction, the claim/release hot path, stats and shutdown.
// The rebalancer's rules are in rebalancer.cpp, the workers' in workers.cpp.
#include "pool_core.hpp"

#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cueball::detail {

namespace {

constexpr std::size_t idx(SlotState s) { return static_cast<std::size_t>(s); }

bool is_live(SlotState s) {
    return s == SlotState::Connecting || s == SlotState::Idle || s == SlotState::Claimed ||
           s == SlotState::Checking;
}

// Longer than any real wait, short enough that now() + it cannot overflow.
constexpr std::chrono::hours kForever{24 * 365 * 100};

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
      rng_(std::random_device{}()) {}

PoolCore::~PoolCore() = default;

void PoolCore::start() {
    {
        MutexLock lock(mu_);
        const Clock::time_point now = Clock::now();
        next_shuffle_ = now + options_.decoherence_interval;
        next_health_check_ = now + options_.health_check_interval;
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

void PoolCore::transition(Slot* slot, SlotState to) {
    const SlotState from = slot->state;
    BackendEntry* entry = slot->entry;
    if (from != SlotState::None) {
        --entry->count[idx(from)];
        --count_[idx(from)];
    }
    if (to != SlotState::None) {
        ++entry->count[idx(to)];
        ++count_[idx(to)];
    }
    if (!entry->removed && is_live(from) != is_live(to)) {
        if (is_live(to)) {
            ++live_current_;
        } else {
            --live_current_;
        }
    }
    slot->state = to;
    if (CUEBALL_PROBE_ENABLED(slot__state__change)) {
        probe::slot_state_change(where(slot->claim_id, slot), state_name(from), state_name(to));
    }
}

void PoolCore::lend(Slot* slot, std::uint64_t claim_id) {
    transition(slot, SlotState::Claimed);
    slot->claim_epoch = epoch_;
    slot->claim_id = claim_id;
    ++counters_.claims;
    ++slot->entry->counters.claims;
    if (CUEBALL_PROBE_ENABLED(handle__claimed)) probe::handle_claimed(where(claim_id, slot));
}

void PoolCore::record_wait(Slot* slot, std::chrono::nanoseconds wait) {
    if (wait.count() == 0) {
        // The common case, kept to two increments.
        ++claim_wait_.counts[0];
        ++slot->entry->claim_wait.counts[0];
    } else {
        claim_wait_.record(wait);
        slot->entry->claim_wait.record(wait);
    }
    if (CUEBALL_PROBE_ENABLED(claim__done)) {
        probe::claim_done(where(slot->claim_id, slot), static_cast<std::uint64_t>(wait.count()));
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
        backends_.erase(entry->key);
    }
}

void PoolCore::place(Slot* slot) {
    BackendEntry* entry = slot->entry;
    // live() counts this slot, so "more than the target" means this one is
    // surplus; so is anything beyond max_connections (a probe that succeeded
    // while the other backends were full).
    if (entry->removed || entry->live() > entry->target || live_current_ > options_.max_connections) {
        start_close(slot);
        return;
    }
    if (Waiter* waiter = waiters_.pop_front()) {
        lend(slot, waiter->claim_id);
        waiter->slot = slot;
        // Under the lock: the waiter lives on its own stack and may leave as
        // soon as it can see `slot`.
        waiter->cv.notify_one();
        return;
    }
    transition(slot, SlotState::Idle);
    idle_.push_back(slot);
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

Slot* PoolCore::claim(std::chrono::milliseconds timeout) {
    if (timeout.count() < 0) {
        throw InvalidArgument(
            fmt::format("cueball pool '{}': claim timeout must not be negative (got {} ms)", options_.name,
                        timeout.count()));
    }
    MutexLock lock(mu_);
    const std::uint64_t claim_id = next_claim_id_++;
    if (CUEBALL_PROBE_ENABLED(claim__start)) probe::claim_start(where(claim_id, nullptr));
    if (stopping_) fail_claim(claim_id, stopped_message(), false);
    if (waiters_.empty()) {
        if (Slot* slot = idle_.pop_front()) {
            lend(slot, claim_id);
            record_wait(slot, std::chrono::nanoseconds(0));
            return slot;
        }
    }
    if (timeout.count() == 0) fail_claim(claim_id, timeout_message(timeout), true);
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + std::min<Clock::duration>(timeout, kForever);
    Waiter waiter;
    waiter.claim_id = claim_id;
    waiters_.push_back(&waiter);
    while (waiter.slot == nullptr && !waiter.stopped) {
        if (waiter.cv.wait_until(lock.native(), deadline) == std::cv_status::timeout && waiter.slot == nullptr &&
            !waiter.stopped) {
            waiters_.erase(&waiter);
            fail_claim(claim_id, timeout_message(timeout), true);
        }
    }
    // stop() took us off the list before setting `stopped`.
    if (waiter.slot == nullptr) fail_claim(claim_id, stopped_message(), false);
    record_wait(waiter.slot, Clock::now() - start);
    return waiter.slot;
}

Slot* PoolCore::try_claim() {
    MutexLock lock(mu_);
    if (stopping_) throw_stopped();
    if (!waiters_.empty()) return nullptr;
    Slot* slot = idle_.pop_front();
    if (slot != nullptr) {
        lend(slot, next_claim_id_++);
        record_wait(slot, std::chrono::nanoseconds(0));
    }
    return slot;
}

void PoolCore::fail_claim(std::uint64_t claim_id, const std::string& why, bool timed_out) {
    if (CUEBALL_PROBE_ENABLED(claim__failed)) probe::claim_failed(where(claim_id, nullptr), why);
    if (!timed_out) throw PoolStopped(why);
    ++counters_.claim_timeouts;
    throw ClaimTimeout(why);
}

void PoolCore::release(Slot* slot, bool discard) noexcept {
    // Outside the lock, the slot's claim id and backend key are stable: the
    // slot is still Claimed, so nobody else touches it.
    if (CUEBALL_PROBE_ENABLED(handle__returned)) probe::handle_returned(where(slot->claim_id, slot));
    bool reset_ok = true;
    if (!discard) {
        std::string reason;
        if (CUEBALL_PROBE_ENABLED(reset__start)) probe::reset_start(where(slot->claim_id, slot));
        try {
            reset_ok = slot->connection->reset();
            if (!reset_ok) reason = "reset() returned false";
        } catch (const std::exception& e) {
            reason = std::string("reset() threw: ") + e.what();
            reset_ok = false;
        } catch (...) {
            reason = "reset() threw a non-standard exception";
            reset_ok = false;
        }
        if (!reset_ok) {
            log_->debug("pool {}: connection to {} discarded: {}", options_.name, slot->entry->key, reason);
            if (CUEBALL_PROBE_ENABLED(reset__failed)) probe::reset_failed(where(slot->claim_id, slot), reason);
        } else if (CUEBALL_PROBE_ENABLED(reset__done)) {
            probe::reset_done(where(slot->claim_id, slot));
        }
    }
    const bool keep = !discard && reset_ok;
    MutexLock lock(mu_);
    if (discard) {
        ++counters_.discards;
        ++slot->entry->counters.discards;
    } else if (!reset_ok) {
        ++counters_.resets_failed;
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
    if (!keep) {
        start_close(slot);
        return;
    }
    place(slot);
}

PoolStats PoolCore::stats() const {
    PoolStats stats;
    stats.name = options_.name;
    stats.max_connections = options_.max_connections;
    MutexLock lock(mu_);
    const Clock::time_point now = Clock::now();
    stats.counters = counters_;
    stats.claim_wait = claim_wait_;
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
            b.retry_in = std::chrono::ceil<std::chrono::milliseconds>(std::max(entry->next_attempt - now, Clock::duration(0)));
        }
        b.last_error = entry->last_error;
        b.counters = entry->counters;
        b.claim_wait = entry->claim_wait;
        stats.backends.push_back(std::move(b));
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
        while (Waiter* waiter = waiters_.pop_front()) {
            waiter->stopped = true;
            waiter->cv.notify_one();
        }
        rebalancer_cv_.notify_all();
        work_cv_.notify_all();
    }
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
    stopped_ = true;
    stopped_cv_.notify_all();
    log_->info("pool {}: stopped", options_.name);
}

bool PoolCore::orphan() {
    MutexLock lock(mu_);
    orphaned_ = true;
    return count_[idx(SlotState::Claimed)] == 0;
}

std::string PoolCore::timeout_message(std::chrono::milliseconds timeout) const {
    std::size_t backends = 0;
    for (const auto& [key, entry] : backends_) backends += entry->removed ? 0 : 1;
    const std::size_t open =
        count_[idx(SlotState::Idle)] + count_[idx(SlotState::Claimed)] + count_[idx(SlotState::Checking)];
    std::string why;
    if (backends == 0) {
        why = "no backends";
    } else if (open == 0) {
        why = fmt::format("{} backend{}, none connected (last error: {})", backends, backends == 1 ? "" : "s",
                          last_error_.empty() ? "no connect attempt has finished yet" : last_error_);
    } else {
        why = fmt::format("all {} connections claimed", count_[idx(SlotState::Claimed)]);
    }
    return fmt::format("cueball pool '{}': claim timed out after {} ms: {}", options_.name, timeout.count(), why);
}

std::string PoolCore::stopped_message() const { return fmt::format("cueball pool '{}' is stopped", options_.name); }

void PoolCore::throw_stopped() const { throw PoolStopped(stopped_message()); }

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

SlotView* core_claim(PoolCore* core) { return core->claim(core->options().claim_timeout); }
SlotView* core_claim(PoolCore* core, std::chrono::milliseconds timeout) { return core->claim(timeout); }
SlotView* core_try_claim(PoolCore* core) { return core->try_claim(); }
void core_release(PoolCore* core, SlotView* slot, bool discard) noexcept {
    core->release(static_cast<Slot*>(slot), discard);
}
PoolStats core_stats(const PoolCore* core) { return core->stats(); }
void core_stop(PoolCore* core) { core->stop(); }

void throw_invalid_handle() {
    throw InvalidHandle("cueball: use of an empty PoolHandle (released, discarded or moved from)");
}

}  // namespace cueball::detail
