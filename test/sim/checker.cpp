#include "checker.hpp"
#include "world.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace cueball::sim {

namespace {

using detail::BackendEntry;
using detail::idx;
using detail::kSlotStates;

constexpr std::array<SlotState, kSlotStates> kStates{SlotState::None,     SlotState::Connecting, SlotState::Idle,
                                                     SlotState::Claimed,  SlotState::Checking,   SlotState::Validating,
                                                     SlotState::Closing,  SlotState::Abandoned};

bool holds_place(SlotState s) { return s != SlotState::None && s != SlotState::Abandoned; }
bool live(SlotState s) {
    return s == SlotState::Connecting || s == SlotState::Idle || s == SlotState::Claimed || s == SlotState::Checking ||
           s == SlotState::Validating;
}
// What may be given connections (the spread's own rule, restated here).
bool usable(BackendState s) {
    return s == BackendState::Connecting || s == BackendState::Online || s == BackendState::Failing;
}

void check_ledger(World& w) {
    if (!w.ledger.problems.empty()) w.fail("connection life cycle", w.ledger.problems.front());
}

void check_counts(World& w) {
    const PoolModel& m = *w.model;
    std::array<std::size_t, kSlotStates> sum{};
    std::size_t occupied = 0, running = 0;
    m.for_each_backend([&](const BackendEntry& e) {
        std::size_t live_here = 0;
        for (SlotState s : kStates) {
            sum[idx(s)] += e.in(s);
            if (s == SlotState::Closing) {
                occupied += e.in(s) - e.unplaced_closing;
            } else if (holds_place(s) && !(e.removed() && s == SlotState::Claimed)) {
                occupied += e.in(s);
            }
            if (live(s)) live_here += e.in(s);
        }
        running += e.running;
        if (live_here != e.live()) {
            w.fail("counts", fmt::format("backend {}: live() {} but {} slots in live states", e.key, e.live(), live_here));
        }
    });
    for (SlotState s : kStates) {
        if (s != SlotState::None && sum[idx(s)] != m.slots_in(s)) {
            w.fail("counts", fmt::format("{} slots {} in the pool, {} over its backends", detail::state_name(s),
                                         m.slots_in(s), sum[idx(s)]));
        }
    }
    if (occupied != m.occupied()) w.fail("counts", fmt::format("occupied() {} but {} slots hold a place", m.occupied(), occupied));
    if (running != w.running.size()) {
        w.fail("counts", fmt::format("{} tasks on workers, the backends count {}", w.running.size(), running));
    }
    if (m.slots_in(SlotState::Claimed) != w.held()) {
        w.fail("counts", fmt::format("{} claimed in the pool, {} held by the application", m.slots_in(SlotState::Claimed), w.held()));
    }
    // Every open connection is in a slot that holds one, and the reverse.
    const std::size_t with_connection = m.slots_in(SlotState::Idle) + m.slots_in(SlotState::Claimed) +
                                        m.slots_in(SlotState::Checking) + m.slots_in(SlotState::Validating) +
                                        m.slots_in(SlotState::Closing);
    if (with_connection != w.ledger.open) {
        w.fail("counts", fmt::format("{} connections open in the world, {} in the pool's slots", w.ledger.open, with_connection));
    }
    std::size_t idle = 0;
    m.for_each_idle([&](const Slot& s) {
        ++idle;
        if (s.state != SlotState::Idle || !s.connection) {
            w.fail("idle queue", fmt::format("slot {} in the idle queue is {}", s.id, detail::state_name(s.state)));
            return;
        }
        const ConnectionRecord& r = w.ledger.at(id_of(s.connection.get()));
        if (!r.open() || r.condemned || r.holder != 0 || r.late) {
            w.fail("idle queue", fmt::format("connection {} is idle but {}", id_of(s.connection.get()),
                                             !r.open() ? "not open" : r.condemned ? "condemned" : r.holder ? "held" : "late"));
        }
        if (s.entry->removed()) w.fail("idle queue", fmt::format("idle connection of removed backend {}", s.entry->key));
    });
    if (idle != m.slots_in(SlotState::Idle)) {
        w.fail("counts", fmt::format("{} idle slots counted, {} in the idle queue", m.slots_in(SlotState::Idle), idle));
    }
}

// Returns max_connections as the stats give it.
std::size_t check_counters(World& w) {
    const detail::StatsCapture c = w.model->capture_stats(w.now);
    Counters n = c.counters;
    for (const auto& b : c.backends) n += b.metrics->counters();
    const Tally& t = w.tally;
    const std::array<std::pair<const char*, std::pair<std::uint64_t, std::uint64_t>>, 10> pairs{{
        {"claims", {n.claims, t.claims}},
        {"claim_timeouts", {n.claim_timeouts, t.timeouts}},
        {"claims_cancelled", {n.claims_cancelled, t.cancelled}},
        {"claims_failed_fast", {n.claims_failed_fast, t.failed_fast}},
        {"connects", {n.connects, t.connects}},
        {"connect_failures", {n.connect_failures, t.connect_failures}},
        {"health_check_failures", {n.health_check_failures, t.check_failures}},
        {"validations_failed", {n.validations_failed, t.validation_failures}},
        {"resets_failed", {n.resets_failed, t.resets_failed}},
        {"discards", {n.discards, t.discards}},
    }};
    for (const auto& [name, v] : pairs) {
        if (v.first != v.second) w.fail("counters", fmt::format("stats say {} {}, the world counted {}", name, v.first, v.second));
    }
    std::size_t idle = 0, claimed = 0, pending = 0;
    for (const auto& b : c.backends) {
        idle += b.idle;
        claimed += b.claimed;
        pending += b.connecting;
    }
    if (idle != c.idle || claimed != c.claimed || pending != c.pending) {
        w.fail("counters", fmt::format("pool idle/claimed/pending {}/{}/{}, over backends {}/{}/{}", c.idle, c.claimed,
                                       c.pending, idle, claimed, pending));
    }
    return c.max_connections;
}

void check_waiters(World& w) {
    PoolModel& m = *w.model;
    // The queue: the application's waiting claims, oldest first.
    std::size_t expected = 0, poked = 0;
    for (const auto& c : w.claims) {
        if (c->phase != SimClaim::Phase::waiting) continue;
        if (c->waiter->validating != nullptr) c->validated = true;
        if (c->validated && c->waiter->queued) c->requeued = true;
        if (c->waiter->queued) ++expected;
        if (c->poked) ++poked;
        if (!c->waiter->queued && c->waiter->validating == nullptr) {
            w.fail("lost claim", fmt::format("claim {} waits, but neither in the queue nor for a validation", c->id));
        }
        if (c->waiter->deadline < w.now) w.fail("deadline", fmt::format("claim {} waits past its deadline", c->id));
    }
    std::uint64_t last = 0;
    std::size_t queued = 0;
    using Queue = detail::IntrusiveList<Waiter, &Waiter::link>;
    for (const Waiter* q = m.first_waiter(); q != nullptr; q = Queue::next(q)) {
        ++queued;
        const auto it = std::find_if(w.claims.begin(), w.claims.end(), [&](const auto& c) { return c->waiter.get() == q; });
        if (it != w.claims.end() && (*it)->requeued) continue;
        if (q->claim_id <= last) w.fail("fifo", fmt::format("claim {} queued after claim {}", q->claim_id, last));
        last = q->claim_id;
    }
    if (queued != expected || queued != m.waiting()) {
        w.fail("counts", fmt::format("{} in the queue, waiting() {}, {} waiting claims queued", queued, m.waiting(), expected));
    }
    std::size_t known = 0;
    m.for_each_waiter([&](Waiter& q) {
        ++known;
        const auto it = std::find_if(w.claims.begin(), w.claims.end(), [&](const auto& c) { return c->waiter.get() == &q; });
        if (it == w.claims.end() || (*it)->phase != SimClaim::Phase::waiting) {
            w.fail("lost claim", fmt::format("the pool keeps claim {}, which no longer waits", q.claim_id));
        }
    });
    // A waiter beside a free connection is a lost wake-up, unless bounded
    // fairness left the connection to whoever claims first and poked the oldest.
    if (m.waiting() > 0 && m.slots_in(SlotState::Idle) > 0) {
        if (w.config.options.fairness.mode == FairnessMode::strict || poked == 0) {
            w.fail("lost wake-up", fmt::format("{} claims wait while {} connections are idle", m.waiting(),
                                               m.slots_in(SlotState::Idle)));
        }
    }
}

void check_cap(World& w, std::size_t cap) {
    const PoolModel& m = *w.model;
    // Connections in the world that count against max_connections: connects
    // in flight that the pool still waits for, and open connections, less
    // those allowed above it: claimed or closing while their backend was
    // removed, and connects the pool abandoned that succeeded after all.
    std::size_t counted = 0, late = 0;
    for (const RunningTask& r : w.running) {
        if (r.task.kind == SlotState::Connecting && r.task.slot->state == SlotState::Connecting) ++counted;
    }
    for (const std::uint64_t id : w.ledger.open_ids) {
        ConnectionRecord& r = w.ledger.at(id);
        if (r.late) {
            // Closing; it holds a place unless its backend was removed.
            if (r.slot != nullptr && !r.slot->unplaced) ++late;
            continue;
        }
        if (r.slot != nullptr) {
            r.exempt = (r.slot->state == SlotState::Claimed && r.slot->entry->removed()) ||
                       (r.slot->state == SlotState::Closing && r.slot->unplaced);
        }
        if (!r.exempt) ++counted;
    }
    // Each of them holds a place in the model's count...
    if (counted > m.occupied()) {
        w.fail("cap", fmt::format("{} connections count against the cap, the pool counts {} places taken", counted,
                                  m.occupied()));
    }
    // ... which stays within the pool's size, or shrinks towards it after a
    // resize, a shrink with spares, or a backend added back while it drained.
    if (m.size() > cap) w.fail("cap", fmt::format("the pool's size {} is above max_connections {}", m.size(), cap));
    const std::size_t occupied = m.occupied() - std::min(m.occupied(), late);
    if (occupied > m.size() && occupied > std::max(w.prev_occupied + w.readmitted, w.prev_size)) {
        w.fail("size", fmt::format("{} slots hold a place, the pool's size is {} (before this step {} of {})", occupied,
                                   m.size(), w.prev_occupied, w.prev_size));
    }
    w.prev_occupied = occupied;
    w.prev_size = m.size();
}

void check_state(World& w) {
    const PoolModel& m = *w.model;
    std::size_t known = 0, dead = 0;
    m.for_each_backend([&](const BackendEntry& e) {
        if (e.removed()) return;
        ++known;
        if (e.health == BackendState::Dead) ++dead;
    });
    const PoolState s = m.state();
    if (w.stop_begun) {
        const PoolState want = w.stop_finished ? PoolState::Stopped : PoolState::Stopping;
        if (s != want) w.fail("pool state", fmt::format("{} after stop, not {}", to_string(s), to_string(want)));
        return;
    }
    if (s == PoolState::Running || s == PoolState::Failed) {
        const PoolState want = known > 0 && dead == known ? PoolState::Failed : PoolState::Running;
        if (s != want) {
            w.fail("pool state", fmt::format("{} with {} of {} known backends dead", to_string(s), dead, known));
        }
    } else if (s != PoolState::Starting) {
        w.fail("pool state", fmt::format("{} before stop", to_string(s)));
    } else if (w.ticked_since_start) {
        w.fail("pool state", "still starting after rebalance_delay and a tick");
    }
    if (s == PoolState::Failed && m.waiting() > 0) w.fail("pool state", "claims wait in a failed pool");
}

void check_backends(World& w) {
    const PoolModel& m = *w.model;
    if (w.stop_begun || m.pending_events().first != detail::kNever) return;
    std::size_t known = 0;
    m.for_each_backend([&](const BackendEntry& e) {
        const std::uint32_t i = w.backend_index(e.key);
        if (e.removed()) {
            if (e.slots() == 0 && e.running == 0) w.fail("backends", fmt::format("drained backend {} kept", e.key));
            if (w.resolver[i]) w.fail("backends", fmt::format("backend {} draining, but the resolver has it", e.key));
            return;
        }
        ++known;
        const auto& r = w.resolver[i];
        if (!r) {
            w.fail("backends", fmt::format("backend {} kept after the resolver removed it", e.key));
        } else if (r->first != e.identity->backend.priority || r->second != e.identity->backend.weight) {
            w.fail("backends", fmt::format("backend {}: priority {} weight {}, the resolver said {} and {}", e.key,
                                           e.identity->backend.priority, e.identity->backend.weight, r->first, r->second));
        }
    });
    const auto reported = static_cast<std::size_t>(std::count_if(w.resolver.begin(), w.resolver.end(), [](const auto& r) { return r.has_value(); }));
    if (known != reported) w.fail("backends", fmt::format("{} backends known, the resolver reported {}", known, reported));
}

// Whether `target` is the largest-remainder share of `total` by `weight` of `sum`.
bool fair_share(std::size_t target, std::size_t total, std::uint64_t weight, std::uint64_t sum) {
    const std::uint64_t exact = static_cast<std::uint64_t>(total) * weight;
    const std::uint64_t floor = exact / sum;
    return target == floor || (target == floor + 1 && exact % sum != 0);
}

}  // namespace

void check_step(World& w) {
    check_ledger(w);
    check_counts(w);
    const std::size_t cap = check_counters(w);
    check_waiters(w);
    check_cap(w, cap);
    check_state(w);
    check_backends(w);
}

void check_spread(World& w) {
    const PoolModel& m = *w.model;
    struct Member {
        const BackendEntry* e;
        std::uint64_t weight;
    };
    std::uint16_t tier = UINT16_MAX;
    m.for_each_backend([&](const BackendEntry& e) {
        if (!e.removed() && usable(e.state)) tier = std::min(tier, e.identity->backend.priority);
    });
    std::vector<Member> members;
    m.for_each_backend([&](const BackendEntry& e) {
        const bool member = !e.removed() && usable(e.state) && e.identity->backend.priority == tier;
        if (member) {
            members.push_back({&e, e.identity->backend.weight});
        } else if (e.target != 0) {
            w.fail("spread", fmt::format("backend {} ({}, priority {}) has target {}; the tier is {}", e.key,
                                         to_string(e.state), e.identity->backend.priority, e.target, tier));
        }
    });
    if (members.empty()) return;
    std::size_t total = 0;
    for (const Member& x : members) total += x.e->target;
    if (total != m.size()) w.fail("spread", fmt::format("targets add up to {}, the pool's size is {}", total, m.size()));
    auto check = [&](std::vector<Member> group, std::size_t size) {
        const bool all_zero = std::all_of(group.begin(), group.end(), [](const Member& x) { return x.weight == 0; });
        std::uint64_t sum = 0;
        for (Member& x : group) sum += (x.weight = all_zero ? 1 : x.weight);
        for (const Member& x : group) {
            if (!fair_share(x.e->target, size, x.weight, sum)) {
                w.fail("spread", fmt::format("backend {} has target {}: not its share of {} by weight {} of {}",
                                             x.e->key, x.e->target, size, x.weight, sum));
            }
        }
    };
    std::vector<Member> healthy, failing;
    for (const Member& x : members) (x.e->state == BackendState::Failing ? failing : healthy).push_back(x);
    if (healthy.empty() || failing.empty()) {
        check(members, m.size());
        return;
    }
    // Failing backends keep at most their share; the healthy split the rest.
    std::size_t kept = 0;
    for (const Member& x : failing) kept += x.e->target;
    check(healthy, m.size() - std::min(kept, m.size()));
    std::uint64_t sum = 0;
    const bool all_zero = std::all_of(members.begin(), members.end(), [](const Member& x) { return x.weight == 0; });
    for (const Member& x : members) sum += all_zero ? 1 : x.weight;
    for (const Member& x : failing) {
        const std::uint64_t share = all_zero ? 1 : x.weight;
        if (static_cast<std::uint64_t>(x.e->target) * sum > m.size() * share + sum - 1) {
            w.fail("spread", fmt::format("failing backend {} has target {}, above its share", x.e->key, x.e->target));
        }
    }
}

void check_settled(World& w) {
    PoolModel& m = *w.model;
    const bool any = std::any_of(w.resolver.begin(), w.resolver.end(), [](const auto& r) { return r.has_value(); });
    check_spread(w);
    std::size_t live_total = 0;
    m.for_each_backend([&](const BackendEntry& e) {
        if (e.removed()) {
            w.fail("settled", fmt::format("removed backend {} still draining", e.key));
            return;
        }
        if (e.state != BackendState::Online && !(e.state == BackendState::Connecting && e.target == 0)) {
            w.fail("settled", fmt::format("backend {} is {} with target {} after faults ended", e.key, to_string(e.state), e.target));
        }
        // With max_lifetime connections keep expiring, and with a churn limit
        // their replacements may lag for good: then only the targets count.
        if (w.config.options.max_lifetime.count() == 0 && (e.live() != e.target || e.in(SlotState::Connecting) != 0)) {
            w.fail("settled", fmt::format("backend {} holds {} ({} connecting), its target is {}", e.key, e.live(),
                                          e.in(SlotState::Connecting), e.target));
        }
        live_total += e.live();
    });
    if (any && w.config.options.max_lifetime.count() == 0 && live_total != m.size()) {
        w.fail("settled", fmt::format("{} connections open, the pool's size is {}", live_total, m.size()));
    }
    if (any && m.waiting() > 0) w.fail("settled", fmt::format("{} claims wait in a full pool", m.waiting()));
    if (any && m.state() != PoolState::Running) w.fail("settled", fmt::format("pool {} after faults ended", to_string(m.state())));
}

void check_stopped(World& w) {
    const PoolModel& m = *w.model;
    if (!w.claims.empty()) w.fail("stop", fmt::format("{} claims still out after stop", w.claims.size()));
    for (SlotState s : kStates) {
        if (s != SlotState::None && m.slots_in(s) != 0) {
            w.fail("stop", fmt::format("{} slots {} after stop", m.slots_in(s), detail::state_name(s)));
        }
    }
    if (w.ledger.open != 0) w.fail("stop", fmt::format("{} connections open after stop", w.ledger.open));
}

void check_closed(World& w) {
    check_ledger(w);
    const auto& all = w.ledger.all();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const ConnectionRecord& r = all[i];
        if (r.destroys != 1 || r.closes != (r.connected ? 1 : 0)) {
            w.fail("connection life cycle", fmt::format("connection {} ({}) closed {} times, destroyed {} times", i + 1,
                                                        r.connected ? "connected" : "never connected", r.closes, r.destroys));
        }
    }
}

}  // namespace cueball::sim
