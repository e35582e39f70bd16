// The application's side of the world: claims, releases, cancellations,
// the resolver, resize, refresh and stop, and carrying out Effects as
// lib/driver/pool_core.cpp and claim.cpp do.
#include "world.hpp"
#include "checker.hpp"

#include <cueball/backend.hpp>

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <bit>

namespace cueball::sim {

namespace {

// Far from the epoch: the model takes TimePoint{} to mean "not set".
constexpr std::chrono::hours kStart{1000};

std::uint64_t use_time_mask(std::uint32_t sample) {
    return sample == 0 ? ~std::uint64_t{0} : std::bit_ceil(std::uint64_t{sample}) - 1;
}

}  // namespace

World::World(const SimConfig& c)
    : config(c),
      start(TimePoint{} + kStart),
      now(start),
      model(std::make_unique<PoolModel>(c.options, c.seed, start)),
      planned_wake(start),
      use_time_mask_(use_time_mask(c.options.use_time_sample)) {
    for (std::uint32_t i = 0; i < c.backends; ++i) {
        keys.push_back(backend_key(Backend{fmt::format("10.0.0.{}", i + 1), 5432, {}, 0, 1}));
    }
    resolver.resize(c.backends);
    faults.resize(c.backends);
    // As the driver does once the resolver's start() has returned.
    Effects fx;
    model->resolver_started(start, fx);
    kicked = true;  // the driver's rebalancer runs once as it starts
}

World::~World() {
    if (!model) return;
    // A run that failed midway: the application gives back what it holds and
    // the pool stops, so that the model frees every slot.
    Effects fx;
    model->begin_stop(fx);
    for (const auto& c : claims) {
        if (c->phase == SimClaim::Phase::held) model->release(c->slot, detail::ReleaseKind::Discarded, now, fx);
    }
    model->finish_stop(fx);
}

void World::fail(std::string invariant, std::string detail) {
    if (!violation) violation = Violation{std::move(invariant), std::move(detail)};
}

std::uint32_t World::backend_index(const std::string& key) const {
    for (std::uint32_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return i;
    }
    return 0;
}

std::size_t World::held() const {
    return static_cast<std::size_t>(std::count_if(claims.begin(), claims.end(), [](const auto& c) {
        return c->phase == SimClaim::Phase::held;
    }));
}

std::size_t World::waiting_cancellable() const {
    return static_cast<std::size_t>(std::count_if(claims.begin(), claims.end(), [](const auto& c) {
        return c->phase == SimClaim::Phase::waiting && c->cancellable;
    }));
}

double World::elapsed_ms() const { return std::chrono::duration<double, std::milli>(now - start).count(); }

std::string World::summary() const {
    const PoolModel& m = *model;
    std::string backends;
    m.for_each_backend([&](const detail::BackendEntry& e) {
        backends += fmt::format(" {}:{}/t{}/l{}", backend_index(e.key), to_string(e.state), e.target, e.live());
    });
    return fmt::format("{} size {} occupied {} | connecting {} idle {} claimed {} checking {} validating {} closing {} "
                       "abandoned {} | waiting {} | backends{}",
                       to_string(m.state()), m.size(), m.occupied(), m.slots_in(SlotState::Connecting),
                       m.slots_in(SlotState::Idle), m.slots_in(SlotState::Claimed), m.slots_in(SlotState::Checking),
                       m.slots_in(SlotState::Validating), m.slots_in(SlotState::Closing),
                       m.slots_in(SlotState::Abandoned), m.waiting(), backends);
}

std::size_t World::known_backends() const {
    std::size_t n = 0;
    model->for_each_backend([&](const detail::BackendEntry& e) { n += e.removed() ? 0 : 1; });
    return n;
}

void World::apply(const Op& op) {
    ++applied;
    readmitted = 0;
    const TimePoint at = now;
    note.clear();
    step(op);
    if (narrate != nullptr) {
        fmt::print(narrate, "  {:>5}  t={:>9.3f} ms  {}{}\n", applied,
                   std::chrono::duration<double, std::milli>(at - start).count(), cueball::sim::describe(op),
                   note.empty() ? std::string() : ": " + note);
        if (model) fmt::print(narrate, "{:>28}{}\n", "", summary());
    }
    if (!violation && model) check_step(*this);
}

void World::step(const Op& op) {
    if (op.kind != OpKind::react) ticks_here = 0;
    switch (op.kind) {
        case OpKind::add:
        case OpKind::remove: resolve(op); break;
        case OpKind::fault:
            if (op.backend < faults.size()) faults[op.backend] = {op.connect, op.check_fails, op.reset_fails};
            break;
        case OpKind::claim: claim(op); break;
        case OpKind::try_claim: try_claim(); break;
        case OpKind::cancel: cancel(op); break;
        case OpKind::release: release(op); break;
        case OpKind::resize:
            // The driver refuses these once stopped, before the model sees them.
            if (!stop_begun && op.size >= 1) {
                Effects fx;
                model->request_resize(op.size, fx);
                carry_out(fx);
            }
            break;
        case OpKind::refresh:
            if (!stop_begun) {
                Effects fx;
                model->request_refresh(fx);
                carry_out(fx);
            }
            break;
        case OpKind::stop: stop(); break;
        case OpKind::advance: advance(op); break;
        case OpKind::react: react(op); break;
    }
}

void World::resolve(const Op& op) {
    if (op.backend >= keys.size()) return;
    Effects fx;
    const std::string& key = keys[op.backend];
    if (op.kind == OpKind::add) {
        Backend b{fmt::format("10.0.0.{}", op.backend + 1), 5432, {}, op.priority, op.weight};
        model->queue_event(BackendAdded{key, b}, now, fx);
        resolver[op.backend] = std::pair{op.priority, op.weight};
    } else {
        model->queue_event(BackendRemoved{key}, now, fx);
        resolver[op.backend].reset();
    }
    carry_out(fx);
}

void World::claim(const Op& op) {
    using std::chrono::milliseconds;
    const PoolOptions& o = config.options;
    milliseconds timeout = o.claim_timeout;
    if (op.timeout == Timeout::zero) timeout = milliseconds(0);
    if (op.timeout == Timeout::short_ms) timeout = milliseconds(op.timeout_ms);
    if (op.timeout == Timeout::never) timeout = milliseconds::max();
    auto c = std::make_unique<SimClaim>();
    c->cancellable = op.cancellable;
    // As PoolCore::claim(): the fast path for plain pools, under the lock
    // that a claim that must wait then keeps.
    c->id = model->next_claim_id();
    if (model->plain() && !op.cancellable) {
        if (Slot* slot = model->claim_now(c->id, {}, false)) {
            hold(*c, slot, false);
            claims.push_back(std::move(c));
            return;
        }
    }
    c->waiter = std::make_unique<Waiter>();
    Waiter& w = *c->waiter;
    w.fail_fast = op.fail_fast < 0 ? o.fail_fast : op.fail_fast == 1;
    w.timeout = timeout;
    w.claim_id = c->id;
    w.since = now;
    w.deadline = detail::after(now, timeout);
    Effects fx;
    const detail::ClaimStep step = model->begin_claim(w, timeout.count() == 0, now, fx);
    if (step == detail::ClaimStep::Served) {
        hold(*c, w.slot, false);
        claims.push_back(std::move(c));
    } else if (step == detail::ClaimStep::Waiting) {
        if (timeout.count() == 0) fail("zero timeout", fmt::format("claim {} with timeout 0 waits", c->id));
        claims.push_back(std::move(c));
    } else {
        switch (w.wake) {
            case detail::Wake::Stopped:
                if (!model->stopping()) fail("failure reason", fmt::format("claim {}: stopped, but the pool is not", c->id));
                break;
            case detail::Wake::Failed:
                ++tally.failed_fast;
                if (!(model->state() == PoolState::Failed ||
                      (w.fail_fast && model->state() == PoolState::Running && known_backends() == 0))) {
                    fail("failure reason", fmt::format("claim {} failed fast, but the pool is {} with {} backends",
                                                       c->id, to_string(model->state()), known_backends()));
                }
                break;
            case detail::Wake::TimedOut:
                ++tally.timeouts;
                if (timeout.count() != 0) fail("failure reason", fmt::format("claim {} timed out at once", c->id));
                break;
            default: fail("failure reason", fmt::format("claim {} failed without a reason", c->id)); break;
        }
    }
    carry_out(fx);
}

void World::try_claim() {
    if (stop_begun) return;  // the driver throws PoolStopped
    auto c = std::make_unique<SimClaim>();
    c->id = model->next_claim_id();
    Effects fx;
    Slot* slot = model->try_claim(c->id, {}, config.options.validate_on_claim ? now : TimePoint{}, fx);
    if (slot != nullptr) {
        hold(*c, slot, true);
        claims.push_back(std::move(c));
    }
    carry_out(fx);
}

void World::cancel(const Op& op) {
    const std::size_t n = waiting_cancellable();
    if (n == 0) return;
    std::size_t k = op.pick % n;
    for (auto& c : claims) {
        if (c->phase != SimClaim::Phase::waiting || !c->cancellable || k-- != 0) continue;
        // As the stop callback in PoolCore::claim_waiting().
        Waiter& w = *c->waiter;
        if (w.slot != nullptr) return;
        Effects fx;
        model->end_wait(w, detail::Wake::Cancelled, fx);
        fx.woken.push_back(&w);
        carry_out(fx, Cause::cancel);
        return;
    }
}

void World::release(const Op& op) {
    const std::size_t n = held();
    if (n == 0) return;
    std::size_t k = op.pick % n;
    auto it = std::find_if(claims.begin(), claims.end(), [&](const auto& c) {
        return c->phase == SimClaim::Phase::held && k-- == 0;
    });
    SimClaim& c = **it;
    Slot* slot = c.slot;
    ConnectionRecord& rec = ledger.at(c.connection);
    detail::ReleaseKind kind = detail::ReleaseKind::Returned;
    if (op.discard) {
        kind = detail::ReleaseKind::Discarded;
        ++tally.discards;
    } else if (faults[rec.backend].reset_fails) {
        kind = detail::ReleaseKind::ResetFailed;
        ++tally.resets_failed;
    }
    if (kind != detail::ReleaseKind::Returned) rec.condemned = true;
    rec.holder = 0;
    claims.erase(it);
    // As PoolCore::release().
    Effects fx;
    if (model->plain() && kind == detail::ReleaseKind::Returned) {
        if (slot->claimed_at != TimePoint{}) PoolModel::record_use(slot, now);
        if (!model->release_plain(slot, false, fx)) model->place_released(slot, now, fx);
    } else {
        const TimePoint t = PoolModel::release_needs_time(config.options, slot) ? now : TimePoint{};
        model->release(slot, kind, t, fx);
    }
    carry_out(fx);
}

void World::stop() {
    if (stop_begun) return;
    stop_begun = true;
    Effects fx;
    model->begin_stop(fx);
    carry_out(fx, Cause::stop);
    // The stop token is requested: connects that hang give up at once.
    for (RunningTask& r : running) {
        r.done_at = std::min(r.done_at, detail::after(now, std::chrono::milliseconds(1)));
        if (r.hangs) r.ok = false;
    }
}

void World::advance(const Op& op) {
    if (!candidates().empty()) return;  // something is due now: time waits for it
    const TimePoint to = std::min(detail::after(now, op.dt), next_due());
    if (to > now) {
        now = to;
        ticks_here = 0;
    }
}

SimClaim* World::find(const Waiter* waiter) {
    for (auto& c : claims) {
        if (c->waiter.get() == waiter) return c.get();
    }
    return nullptr;
}

void World::forget(const SimClaim& claim) {
    claims.erase(std::find_if(claims.begin(), claims.end(), [&](const auto& c) { return c.get() == &claim; }));
}

void World::carry_out(Effects& fx, Cause cause) {
    for (const auto& [from, to] : model->take_state_changes()) {
        if (from != last_state) {
            fail("state changes", fmt::format("change {} -> {} after {}", to_string(from), to_string(to),
                                              to_string(last_state)));
        }
        last_state = to;
    }
    if (fx.wake_rebalancer || fx.state_changed || model->take_kick()) kicked = true;
    if (fx.poke != nullptr) {
        SimClaim* c = find(fx.poke);
        if (c == nullptr || c->phase != SimClaim::Phase::waiting) {
            fail("poke", "a claim that is not waiting was poked");
        } else {
            c->poked = true;
        }
    }
    while (Waiter* w = fx.woken.pop_front()) woken(w, cause);
    if (fx.rare) {
        fx.rare->to_destroy.clear();
        for (auto& connection : fx.rare->to_close) connection->close();
        fx.rare->to_close.clear();
    }
}

void World::woken(Waiter* w, Cause cause) {
    SimClaim* c = find(w);
    if (c == nullptr || c->phase != SimClaim::Phase::waiting) {
        fail("woken twice", "a claim that no longer waits was woken");
        return;
    }
    if (w->slot != nullptr) {
        PoolModel::record_wait(w->slot, std::chrono::duration_cast<std::chrono::nanoseconds>(now - w->since));
        hold(*c, w->slot, false);
        return;
    }
    switch (w->wake) {
        case detail::Wake::Stopped:
            if (cause != Cause::stop) fail("failure reason", fmt::format("claim {} woken as stopped by something else", c->id));
            break;
        case detail::Wake::Failed:
            ++tally.failed_fast;
            if (!(model->state() == PoolState::Failed ||
                  (w->fail_fast && model->state() == PoolState::Running && known_backends() == 0))) {
                fail("failure reason", fmt::format("claim {} failed, but the pool is {} with {} backends", c->id,
                                                   to_string(model->state()), known_backends()));
            }
            break;
        case detail::Wake::Cancelled:
            ++tally.cancelled;
            if (cause != Cause::cancel) fail("failure reason", fmt::format("claim {} cancelled by nobody", c->id));
            break;
        default:
            fail("failure reason", fmt::format("claim {} woken without a connection or a fitting reason", c->id));
            break;
    }
    forget(*c);
}

void World::hold(SimClaim& c, Slot* slot, bool try_claim) {
    if (slot->state != SlotState::Claimed || slot->claim_id != c.id) {
        fail("lending", fmt::format("claim {} got a slot in state {} for claim {}", c.id, detail::state_name(slot->state),
                                    slot->claim_id));
        return;
    }
    if (!slot->connection) {
        fail("lending", fmt::format("claim {} got a slot without a connection", c.id));
        return;
    }
    const std::uint64_t id = id_of(slot->connection.get());
    ConnectionRecord& rec = ledger.at(id);
    if (rec.holder != 0) fail("double lend", fmt::format("connection {} lent to claim {} while claim {} holds it", id, c.id, rec.holder));
    if (!rec.open()) fail("lending", fmt::format("connection {} lent to claim {} but it is not open", id, c.id));
    if (rec.condemned) fail("condemned lent", fmt::format("connection {} lent to claim {} after a failed check, reset or a discard", id, c.id));
    if (rec.late) fail("lending", fmt::format("connection {} lent to claim {} though its connect was abandoned", id, c.id));
    if (slot->entry->removed()) fail("lending", fmt::format("claim {} got a connection of removed backend {}", c.id, slot->entry->key));
    if (slot->expires < now) fail("lending", fmt::format("claim {} got connection {} past its lifetime", c.id, id));
    // Arrival order: nobody older may still be in the queue, unless bounded
    // fairness lets the oldest be passed over for now (never by try_claim).
    const PoolOptions& o = config.options;
    const bool validated = c.waiter != nullptr && c.waiter.get() == validated_for_;
    for (const auto& other : claims) {
        if (validated) break;
        if (other.get() == &c || other->phase != SimClaim::Phase::waiting || other->id > c.id) continue;
        if (!other->waiter->queued || other->requeued) continue;  // its own connection is being validated, or was
        const bool pass_over = !try_claim && o.fairness.mode == FairnessMode::bounded &&
                               detail::until(other->waiter->since, now) < o.fairness.max_wait;
        if (!pass_over) {
            fail("fifo", fmt::format("claim {} served while older claim {} waits in the queue", c.id, other->id));
        }
        break;
    }
    c.phase = SimClaim::Phase::held;
    c.slot = slot;
    c.connection = id;
    c.poked = false;
    rec.holder = c.id;
    ++tally.claims;
    // As PoolCore::maybe_time().
    if ((c.id & use_time_mask_) == 0 && slot->claimed_at == TimePoint{}) slot->claimed_at = now;
}

}  // namespace cueball::sim
