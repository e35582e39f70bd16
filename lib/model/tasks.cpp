// The workers' tasks: which one runs next (round-robin over backends, at most
// connects_per_backend at once on each), and what their outcomes change.
#include "planted_bug.hpp"
#include "pool_model.hpp"
#include "../rules/lifetime.hpp"

namespace cueball::detail {

Task PoolModel::take_task(TimePoint now, Effects& fx) {
    BackendEntry* entry = ready_.pop_front();
    if (entry == nullptr) return {};
    entry->in_ready = false;
    Slot* slot = entry->tasks.front();
    ++entry->running;
    slot->started = now;
    move(slot, slot->state, TaskPhase::Running);
    make_ready(entry, fx);  // round-robin: to the back of the ring if it has more
    Task task;
    task.slot = slot;
    task.kind = slot->state;
    task.connection = slot->connection.get();
    task.backend = slot->identity;
    if (task.kind == SlotState::Connecting) {
        task.deadline = after(now, options_.connect_timeout);
        fx.wake_rebalancer = true;  // it expires the connect at the deadline
    } else if (task.kind == SlotState::Validating && slot->waiter != nullptr) {
        task.deadline = slot->waiter->deadline;
    }
    return task;
}

void PoolModel::finish_task(Slot* slot, TaskResult result, TimePoint now, Effects& fx) {
    BackendEntry* entry = slot->entry;
    --entry->running;
    make_ready(entry, fx);
    switch (slot->state) {
        case SlotState::Connecting:
            if (result.made) {
                slot->connection = std::move(result.made);
                slot->object = result.object;
                entry->metrics->create_time.record(until(slot->started, now));
                slot->last_used = now;
                if (options_.max_lifetime.count() > 0) {
                    slot->expires = lifetime_deadline(now, options_.max_lifetime, uniform());
                }
                record_connect_success(entry, now, fx);
                if (planted(PlantedBug::serve_second_waiter) && waiters_.size() > 1 && !unwanted(slot)) {
                    serve(decltype(waiters_)::next(waiters_.front()), slot, now, fx);
                    return;
                }
                place(slot, now, fx);
            } else {
                record_connect_failure(entry, result.error, now, fx);
                destroy_slot(slot, fx);
                forget_if_drained(entry, fx);
            }
            return;
        case SlotState::Abandoned:
            // Counted as failed when it timed out; if it connected after all,
            // it is closed.
            if (result.made) {
                slot->connection = std::move(result.made);
                slot->object = result.object;
                queue_task(slot, SlotState::Closing, At::Back, fx);
            } else {
                destroy_slot(slot, fx);
                forget_if_drained(entry, fx);
            }
            return;
        case SlotState::Checking:
            if (result.valid || planted(PlantedBug::keep_failed_check)) {
                slot->last_used = now;
                place(slot, now, fx);
            } else {
                fx.log(LogLevel::Info, "pool {}: idle connection to {} failed its health check: {}", options_.name,
                       entry->key, result.error);
                entry->metrics->health_check_failures.add();
                start_close(slot, fx);
            }
            return;
        case SlotState::Validating: {
            Waiter* waiter = slot->waiter;
            slot->waiter = nullptr;
            if (waiter != nullptr) waiter->validating = nullptr;
            if (!result.valid) {
                fx.log(LogLevel::Debug, "pool {}: connection to {} failed validation on claim: {}", options_.name,
                       entry->key, result.error);
                entry->metrics->validations_failed.add();
                start_close(slot, fx);
                // The claim keeps its place at the head of the line.
                if (waiter != nullptr && serve_or_queue(*waiter, true, now, fx) != ClaimStep::Waiting) {
                    fx.woken.push_back(waiter);
                }
                return;
            }
            slot->last_used = now;
            if (waiter == nullptr) {
                place(slot, now, fx);  // its claim gave up meanwhile
            } else if (!close_if_unwanted(slot, now, fx)) {
                serve(waiter, slot, now, fx);
            } else if (serve_or_queue(*waiter, true, now, fx) != ClaimStep::Waiting) {
                fx.woken.push_back(waiter);
            }
            return;
        }
        case SlotState::Closing:
            destroy_slot(slot, fx);
            refill(entry, now, fx);
            forget_if_drained(entry, fx);
            return;
        default:
            return;
    }
}

}  // namespace cueball::detail
