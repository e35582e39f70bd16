// The worker threads: they take tasks (connect, is_valid, close) from the
// backends in the ready ring, round-robin, at most connects_per_backend per
// backend at once, and run them without the pool's lock.
#include "pool_core.hpp"

#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

namespace cueball::detail {

namespace {

std::string describe(const std::exception& e) {
    const char* what = e.what();
    return (what != nullptr && *what != '\0') ? std::string(what) : std::string("exception with an empty message");
}

}  // namespace

void PoolCore::worker_main() {
    MutexLock lock(mu_);
    for (;;) {
        while (!stopping_ && ready_.empty()) {
            ++idle_workers_;
            work_cv_.wait(lock.native());
            --idle_workers_;
        }
        if (stopping_) return;
        BackendEntry* entry = ready_.pop_front();
        entry->in_ready = false;
        Slot* slot = entry->tasks.pop_front();
        ++entry->running;
        make_ready(entry);  // round-robin: back of the ring if it has more
        slot->started = Clock::now();
        inflight_.push_back(slot);
        if (slot->state == SlotState::Connecting && slot->started + options_.connect_timeout < rebalancer_wake_) {
            rebalancer_cv_.notify_one();  // it must expire this connect sooner than it planned to wake
        }
        run_task(slot);
    }
}

void PoolCore::run_task(Slot* slot) {
    BackendEntry* entry = slot->entry;
    const SlotState task = slot->state;
    // While a worker runs a slot's task nobody else touches the slot's
    // connection, so it may be used without the lock.
    Connection* connection = slot->connection.get();
    const Clock::time_point deadline =
        slot->started + std::min<Clock::duration>(options_.connect_timeout, Clock::time_point::max() - slot->started);
    mu_.unlock();

    MadeConnection made;
    std::string error;
    bool valid = false;
    std::unique_ptr<Connection> closed;
    switch (task) {
        case SlotState::Connecting:
            if (CUEBALL_PROBE_ENABLED(connect__start)) probe::connect_start(where(0, slot));
            try {
                made = factory_(*slot->backend);
                if (!made.connection) throw Error("connection factory returned nullptr");
                ConnectionAccess::set_stop_token(*made.connection, stopping_source_.get_token());
                ConnectionAccess::set_deadline(*made.connection, deadline);
                made.connection->connect();
                ConnectionAccess::set_deadline(*made.connection, Clock::time_point::max());
            } catch (const std::exception& e) {
                error = describe(e);
            } catch (...) {
                error = "connect threw a non-standard exception";
            }
            if (!error.empty()) {
                made.connection.reset();  // destroyed here, without close()
                if (CUEBALL_PROBE_ENABLED(connect__failed)) probe::connect_failed(where(0, slot), error);
            } else if (CUEBALL_PROBE_ENABLED(connect__done)) {
                probe::connect_done(where(0, slot));
            }
            break;
        case SlotState::Checking:
            if (CUEBALL_PROBE_ENABLED(health__check__start)) probe::health_check_start(where(0, slot));
            try {
                valid = connection->is_valid();
                if (!valid) error = "is_valid() returned false";
            } catch (const std::exception& e) {
                error = "is_valid() threw: " + describe(e);
            } catch (...) {
                error = "is_valid() threw a non-standard exception";
            }
            if (!valid && CUEBALL_PROBE_ENABLED(health__check__failed)) {
                probe::health_check_failed(where(0, slot), error);
            } else if (valid && CUEBALL_PROBE_ENABLED(health__check__done)) {
                probe::health_check_done(where(0, slot));
            }
            break;
        case SlotState::Closing:
            connection->close();
            break;
        default:
            break;
    }

    mu_.lock();
    inflight_.erase(slot);
    --entry->running;
    make_ready(entry);
    switch (slot->state) {
        case SlotState::Connecting:
        case SlotState::Abandoned:
            finish_connect(slot, std::move(made), error);
            break;
        case SlotState::Checking:
            if (valid) {
                place(slot);
            } else {
                log_->info("pool {}: idle connection to {} failed its health check: {}", options_.name, entry->key,
                           error);
                ++entry->counters.health_check_failures;
                start_close(slot);
            }
            break;
        case SlotState::Closing:
            closed = std::move(slot->connection);
            destroy_slot(slot);
            forget_if_drained(entry);
            break;
        default:
            break;
    }
    if (closed) {
        // Destroying a connection may do I/O (a plugin's destructor): not under the lock.
        mu_.unlock();
        closed.reset();
        mu_.lock();
    }
}

void PoolCore::finish_connect(Slot* slot, MadeConnection made, const std::string& error) {
    BackendEntry* entry = slot->entry;
    const bool abandoned = slot->state == SlotState::Abandoned;
    if (!error.empty()) {
        // An abandoned connect was already counted as failed when it timed out.
        if (!abandoned) record_connect_failure(entry, error, Clock::now());
        destroy_slot(slot);
        forget_if_drained(entry);
        return;
    }
    slot->connection = std::move(made.connection);
    slot->object = made.object;
    if (options_.max_lifetime.count() > 0 || options_.validate_on_claim) {
        const Clock::time_point now = Clock::now();
        slot->last_used = now;
        if (options_.max_lifetime.count() > 0) slot->expires = lifetime_deadline(now);
    }
    if (abandoned) {
        start_close(slot);
        return;
    }
    record_connect_success(entry);
    place(slot);
}

}  // namespace cueball::detail
