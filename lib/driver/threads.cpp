// The pool's threads: the rebalancer, which runs the model's timers and
// delivers state changes, and the workers, which run connect(), is_valid()
// and close() with the pool's mutex released.
#include "pool_core.hpp"
#include "../observability/probes.hpp"

#include <cueball/errors.hpp>

#include <spdlog/spdlog.h>

namespace cueball::detail {

namespace {

std::string describe(const std::exception& e) {
    const char* what = e.what();
    return (what != nullptr && *what != '\0') ? std::string(what) : std::string("exception with an empty message");
}

}  // namespace

void PoolCore::rebalancer_main() {
    PoolLock lock(mu_);
    while (!model_.stopping()) {
        rebalancer_kicked_ = false;
        Effects fx;
        prepare(fx);
        const TimePoint wake = model_.tick(now(), fx);
        const bool deliver = fx.state_changed;
        finish(lock, fx);
        if (deliver) deliver_state_changes();
        lock.lock();
        if (model_.stopping() || rebalancer_kicked_) continue;
        rebalancer_waiting_ = true;
        if (clock_ || wake == kNever) {
            // A virtual clock kicks us when it moves.
            rebalancer_cv_.wait(lock);
        } else {
            rebalancer_cv_.wait_until(lock, wake);
        }
        rebalancer_waiting_ = false;
    }
}

void PoolCore::deliver_state_changes() {
    // Only the rebalancer delivers until stop() has joined it, then only
    // stop(): calls never overlap and keep their order.
    for (;;) {
        std::vector<std::pair<PoolState, PoolState>> changes;
        {
            PoolLock lock(mu_);
            changes = model_.take_state_changes();
        }
        if (changes.empty()) return;
        for (const auto& [from, to] : changes) {
            try {
                options_.on_state_change(from, to);
            } catch (const std::exception& e) {
                log_->error("pool {}: on_state_change threw: {}", options_.name, e.what());
            } catch (...) {
                log_->error("pool {}: on_state_change threw", options_.name);
            }
        }
    }
}

void PoolCore::worker_main() {
    PoolLock lock(mu_);
    for (;;) {
        while (!model_.stopping() && !model_.has_task()) {
            ++idle_workers_;
            work_cv_.wait(lock);
            --idle_workers_;
        }
        if (model_.stopping()) return;
        Effects fx;
        prepare(fx);
        const Task task = model_.take_task(now(), fx);
        finish(lock, fx);
        TaskResult result = run(task);
        lock.lock();
        Effects done;
        prepare(done);
        model_.finish_task(task.slot, std::move(result), now(), done);
        finish(lock, done);
        lock.lock();
    }
}

TaskResult PoolCore::run(const Task& task) {
    // While a worker runs a slot's task nobody else touches the slot's
    // connection, so it is used without the lock.
    TaskResult r;
    const probe::Where where{options_.name, 0, task.slot->id, task.backend->key};
    switch (task.kind) {
        case SlotState::Connecting: {
            if (CUEBALL_PROBE_ENABLED(connect__start)) probe::connect_start(where);
            MadeConnection made;
            try {
                made = factory_(task.backend->backend);
                if (!made.connection) throw Error("connection factory returned nullptr");
                ConnectionAccess::set_stop_token(*made.connection, stopping_source_.get_token());
                ConnectionAccess::set_deadline(*made.connection, task.deadline);
                made.connection->connect();
                ConnectionAccess::set_deadline(*made.connection, kNever);
            } catch (const std::exception& e) {
                r.error = describe(e);
            } catch (...) {
                r.error = "connect threw a non-standard exception";
            }
            if (!r.error.empty()) {
                made.connection.reset();  // destroyed here, without close()
                if (CUEBALL_PROBE_ENABLED(connect__failed)) probe::connect_failed(where, r.error);
            } else {
                if (CUEBALL_PROBE_ENABLED(connect__done)) probe::connect_done(where);
                r.made = std::move(made.connection);
                r.object = made.object;
            }
            break;
        }
        case SlotState::Checking:
        case SlotState::Validating:
            if (CUEBALL_PROBE_ENABLED(health__check__start)) probe::health_check_start(where);
            ConnectionAccess::set_deadline(*task.connection, task.deadline);
            try {
                r.valid = task.connection->is_valid();
                if (!r.valid) r.error = "is_valid() returned false";
            } catch (const std::exception& e) {
                r.error = "is_valid() threw: " + describe(e);
            } catch (...) {
                r.error = "is_valid() threw a non-standard exception";
            }
            ConnectionAccess::set_deadline(*task.connection, kNever);
            if (!r.valid && CUEBALL_PROBE_ENABLED(health__check__failed)) {
                probe::health_check_failed(where, r.error);
            } else if (r.valid && CUEBALL_PROBE_ENABLED(health__check__done)) {
                probe::health_check_done(where);
            }
            break;
        case SlotState::Closing:
            task.connection->close();
            break;
        default:
            break;
    }
    return r;
}

}  // namespace cueball::detail
