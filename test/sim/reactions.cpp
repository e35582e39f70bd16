// The pool's threads, played one step at a time: the rebalancer
// (threads.cpp's rebalancer_main), the workers (worker_main and run), the
// waiters whose deadline came or who were poked (claim.cpp's wait_for_word),
// and stop(); then the end of a run: settling, stopping, the final checks.
#include "checker.hpp"
#include "world.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

namespace cueball::sim {

namespace {

using std::chrono::milliseconds;

// Ticks at one instant with nothing but reactions between them: a
// rebalancer that keeps waking itself.
constexpr std::size_t kSpinningTicks = 200;
// Bounds the loops of the end of a run.
constexpr std::size_t kMaxEndSteps = 2'000'000;

}  // namespace

std::string World::describe(const Candidate& c) const {
    switch (c.what) {
        case Reaction::tick: return "the rebalancer ticks";
        case Reaction::take: return "a worker takes a task";
        case Reaction::complete: {
            const RunningTask& r = running[c.index];
            return fmt::format("{} of connection {} (backend {}) ends: {}", detail::state_name(r.task.kind),
                               r.connection, r.backend, r.ok ? "ok" : "failed");
        }
        case Reaction::deadline: return fmt::format("claim {} reaches its deadline", claims[c.index]->id);
        case Reaction::retry: return fmt::format("poked claim {} retries", claims[c.index]->id);
        case Reaction::finish_stop: return "stop() finishes";
    }
    return "?";
}

const std::vector<Candidate>& World::candidates() {
    candidates_.clear();
    if (!stop_begun && (kicked || (now >= planned_wake && !quiet_))) candidates_.push_back({Reaction::tick, 0});
    if (!stop_begun && model->has_task() && running.size() < config.options.connector_threads) {
        candidates_.push_back({Reaction::take, 0});
    }
    for (std::size_t i = 0; i < running.size(); ++i) {
        if (running[i].done_at <= now) candidates_.push_back({Reaction::complete, i});
    }
    for (std::size_t i = 0; i < claims.size(); ++i) {
        const SimClaim& c = *claims[i];
        if (c.phase != SimClaim::Phase::waiting) continue;
        if (c.waiter->deadline <= now) candidates_.push_back({Reaction::deadline, i});
        if (c.poked) candidates_.push_back({Reaction::retry, i});
    }
    if (stop_begun && !stop_finished && running.empty()) candidates_.push_back({Reaction::finish_stop, 0});
    return candidates_;
}

TimePoint World::next_due() const {
    TimePoint t = stop_begun ? detail::kNever : planned_wake;
    for (const RunningTask& r : running) t = std::min(t, r.done_at);
    for (const auto& c : claims) {
        if (c->phase == SimClaim::Phase::waiting) t = std::min(t, c->waiter->deadline);
    }
    return t;
}

void World::react(const Op& op) {
    const std::vector<Candidate>& all = candidates();
    if (all.empty()) return;
    const Candidate c = all[op.pick % all.size()];
    note = describe(c);
    switch (c.what) {
        case Reaction::tick: tick(); break;
        case Reaction::take: take(); break;
        case Reaction::complete: complete(c.index); break;
        case Reaction::deadline: deadline(c.index); break;
        case Reaction::retry: retry(c.index); break;
        case Reaction::finish_stop: finish_stop(); break;
    }
}

void World::tick() {
    if (++ticks_here > kSpinningTicks) {
        fail("rebalancer spins", fmt::format("{} ticks at {:.3f} ms with nothing else happening", ticks_here, elapsed_ms()));
        return;
    }
    kicked = false;
    std::vector<std::pair<std::string, std::size_t>> draining;
    model->for_each_backend([&](const detail::BackendEntry& e) {
        if (e.removed()) draining.emplace_back(e.key, e.in(SlotState::Claimed) + e.in(SlotState::Closing));
    });
    Effects fx;
    planned_wake = model->tick(now, fx);
    model->for_each_backend([&](const detail::BackendEntry& e) {
        if (e.removed()) return;
        for (const auto& [key, n] : draining) {
            if (key == e.key) readmitted += n;
        }
    });
    carry_out(fx);
    if (now >= detail::after(start, config.options.rebalance_delay)) ticked_since_start = true;
    after_tick();
}

void World::after_tick() {
    for (RunningTask& r : running) {
        if (r.task.kind != SlotState::Connecting || r.abandoned) continue;
        const Slot* slot = r.task.slot;
        if (slot->state == SlotState::Abandoned) {
            r.abandoned = true;
            ++tally.connect_failures;
        } else if (now >= detail::after(slot->started, config.options.connect_timeout)) {
            fail("connect timeout", fmt::format("connect of connection {} still awaited {:.3f} ms after its timeout",
                                                r.connection,
                                                std::chrono::duration<double, std::milli>(
                                                    now - detail::after(slot->started, config.options.connect_timeout))
                                                    .count()));
        }
    }
    check_spread(*this);
}

void World::take() {
    Effects fx;
    detail::Task task = model->take_task(now, fx);
    if (task.slot == nullptr) {
        fail("tasks", "has_task() but take_task() gave nothing");
        return;
    }
    RunningTask r;
    r.backend = backend_index(task.slot->entry->key);
    const Faults& f = faults[r.backend];
    // Small, different durations, so that tasks finish in varied orders.
    const milliseconds quick(1 + static_cast<long>(ledger.all().size() % 3));
    r.done_at = detail::after(now, quick);
    switch (task.kind) {
        case SlotState::Connecting:
            if (task.slot->entry->removed()) fail("tasks", fmt::format("a connect started for removed backend {}", task.slot->entry->key));
            r.connection = ledger.make(r.backend);
            r.made = std::make_unique<SimConnection>(ledger, r.connection);
            r.ok = f.connect == ConnectMode::ok || f.connect == ConnectMode::hang_then_ok;
            r.hangs = f.connect == ConnectMode::hang_then_ok || f.connect == ConnectMode::hang_then_fail;
            if (r.hangs) r.done_at = detail::after(now, config.options.connect_timeout + quick);
            break;
        case SlotState::Checking:
        case SlotState::Validating:
        case SlotState::Closing: {
            if (task.connection == nullptr) {
                fail("tasks", fmt::format("a {} task without a connection", detail::state_name(task.kind)));
                break;
            }
            r.connection = id_of(task.connection);
            const ConnectionRecord& rec = ledger.at(r.connection);
            if (!rec.open() || rec.holder != 0) {
                fail("tasks", fmt::format("a {} task on connection {}, which is {}", detail::state_name(task.kind),
                                          r.connection, rec.holder != 0 ? "claimed" : "not open"));
            }
            if (task.kind != SlotState::Closing && rec.condemned) {
                fail("tasks", fmt::format("connection {} checked again after it was condemned", r.connection));
            }
            r.ok = task.kind == SlotState::Closing || !f.check_fails;
            break;
        }
        default: fail("tasks", fmt::format("a task of kind {}", detail::state_name(task.kind))); break;
    }
    r.task = std::move(task);
    running.push_back(std::move(r));
    carry_out(fx);
}

void World::complete(std::size_t index) {
    RunningTask r = std::move(running[index]);
    running.erase(running.begin() + static_cast<std::ptrdiff_t>(index));
    Slot* slot = r.task.slot;
    detail::TaskResult result;
    switch (r.task.kind) {
        case SlotState::Connecting:
            if (r.ok) {
                ledger.connected(r.connection, slot->state == SlotState::Abandoned);
                ledger.at(r.connection).slot = slot;
                if (slot->state != SlotState::Abandoned) ++tally.connects;
                result.object = r.made.get();
                result.made = std::move(r.made);
            } else {
                if (slot->state != SlotState::Abandoned) ++tally.connect_failures;
                result.error = "connection refused";
                r.made.reset();  // as the driver: destroyed without close()
            }
            break;
        case SlotState::Checking:
        case SlotState::Validating:
            result.valid = r.ok;
            if (!r.ok) {
                result.error = "is_valid() returned false";
                ledger.at(r.connection).condemned = true;
                ++(r.task.kind == SlotState::Checking ? tally.check_failures : tally.validation_failures);
            }
            break;
        case SlotState::Closing: r.task.connection->close(); break;
        default: break;
    }
    if (r.task.kind == SlotState::Validating) validated_for_ = slot->waiter;
    Effects fx;
    model->finish_task(slot, std::move(result), now, fx);
    carry_out(fx);
    validated_for_ = nullptr;
}

void World::deadline(std::size_t index) {
    SimClaim& c = *claims[index];
    Waiter& w = *c.waiter;
    Effects fx;
    const detail::ClaimStep step = model->end_wait(w, detail::Wake::TimedOut, fx);
    carry_out(fx);
    if (step != detail::ClaimStep::Failed || w.wake != detail::Wake::TimedOut) {
        fail("deadline", fmt::format("claim {} at its deadline: {} without being woken", c.id,
                                     step == detail::ClaimStep::Served ? "served" : "still waiting or failed"));
    }
    ++tally.timeouts;
    forget(c);
}

void World::retry(std::size_t index) {
    SimClaim& c = *claims[index];
    c.poked = false;
    Effects fx;
    const detail::ClaimStep step = model->retry(*c.waiter, now, fx);
    if (step == detail::ClaimStep::Served) {
        hold(c, c.waiter->slot, false);
    } else if (step == detail::ClaimStep::Failed) {
        fail("retry", fmt::format("poked claim {} failed on its retry without being woken", c.id));
    }
    carry_out(fx);
}

void World::finish_stop() {
    Effects fx;
    model->finish_stop(fx);
    stop_finished = true;
    carry_out(fx);
}

void World::wind_down() {
    if (!stop_begun) settle();
    if (violation) return;
    apply(Op{OpKind::stop});
    for (std::size_t i = 0; !violation && (!stop_finished || held() > 0); ++i) {
        if (i > kMaxEndSteps) {
            fail("stop", "the pool did not stop");
            return;
        }
        if (held() > 0) {
            apply(Op{OpKind::release});
        } else if (!candidates().empty()) {
            apply(Op{OpKind::react});
        } else {
            Op op{OpKind::advance};
            op.dt = std::chrono::hours(1);
            apply(op);
        }
    }
    if (violation) return;
    check_stopped(*this);
    model.reset();
    check_closed(*this);
}

void World::settle() {
    // Faults end; claims come back as soon as they are served.
    std::fill(faults.begin(), faults.end(), Faults{});
    const TimePoint end = detail::after(now, config.settle);
    for (std::size_t i = 0; !violation && now < end; ++i) {
        if (i > kMaxEndSteps) {
            fail("settle", "the pool does not settle");
            return;
        }
        if (held() > 0) {
            apply(Op{OpKind::release});
        } else if (!candidates().empty()) {
            apply(Op{OpKind::react});
        } else {
            Op op{OpKind::advance};
            op.dt = std::chrono::ceil<std::chrono::microseconds>(end - now);
            apply(op);
        }
    }
    quiesce();
    if (!violation) check_settled(*this);
}

void World::quiesce() {
    // Lets the tasks in flight finish, without letting the timers fire again
    // (periodic health checks may never leave the workers idle otherwise).
    quiet_ = true;
    for (std::size_t i = 0; !violation && (!candidates().empty() || !running.empty() || held() > 0); ++i) {
        if (i > kMaxEndSteps) {
            fail("settle", "the pool does not settle");
            return;
        }
        if (held() > 0) {
            apply(Op{OpKind::release});
        } else if (!candidates().empty()) {
            apply(Op{OpKind::react});
        } else {
            TimePoint t = detail::kNever;
            for (const RunningTask& r : running) t = std::min(t, r.done_at);
            now = t;
            ticks_here = 0;
        }
    }
    quiet_ = false;
}

}  // namespace cueball::sim
