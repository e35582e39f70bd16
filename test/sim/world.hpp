// The simulated world around one PoolModel: it plays the driver (lib/driver)
// without threads, locks or clocks. Each step is one Op: an application
// claims, releases or cancels; the resolver adds and removes backends; a
// pool thread reacts (the rebalancer ticks, a worker takes a task or
// finishes one, a waiter's deadline comes, a poked waiter retries); or
// virtual time moves on. The world carries out the Effects of each
// transition as the driver does, with connects, checks and resets that
// succeed, fail or hang as each backend's faults say, and records what it
// saw for the checker (checker.hpp), which runs after every step.
#pragma once

#include "config.hpp"
#include "ledger.hpp"
#include "ops.hpp"

#include "model/pool_model.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cueball::sim {

using detail::Effects;
using detail::PoolModel;
using detail::Slot;
using detail::SlotState;
using detail::TimePoint;
using detail::Waiter;

struct Violation {
    std::string invariant;  // a short name: shrinking keeps a failure of the same name
    std::string detail;
};

struct Faults {
    ConnectMode connect = ConnectMode::ok;
    bool check_fails = false;
    bool reset_fails = false;
};

// A claim the application made, from claim() until it gives the connection
// back or the claim fails.
struct SimClaim {
    enum class Phase : std::uint8_t { waiting, held };
    std::uint64_t id = 0;  // the model's claim id, in arrival order
    Phase phase = Phase::waiting;
    std::unique_ptr<Waiter> waiter;  // null if it was served without waiting
    Slot* slot = nullptr;            // while held
    std::uint64_t connection = 0;    // while held: ledger id
    bool cancellable = false;
    bool poked = false;   // bounded fairness: woken to retry
    // validate_on_claim: it went back to the queue after a connection was
    // validated for it, at the front, out of arrival order (not checked).
    bool validated = false, requeued = false;
};

// A task a simulated worker runs.
struct RunningTask {
    detail::Task task;
    std::unique_ptr<SimConnection> made;  // Connecting: the object the factory made
    std::uint64_t connection = 0;
    std::uint32_t backend = 0;
    TimePoint done_at{};
    bool ok = true;          // the connect succeeds, the check passes
    bool hangs = false;      // the connect outlives connect_timeout
    bool abandoned = false;  // the model gave up on the connect at connect_timeout
};

// What the application and the world counted, to compare with the pool's
// counters.
struct Tally {
    std::uint64_t claims = 0, timeouts = 0, cancelled = 0, failed_fast = 0, connects = 0, connect_failures = 0,
                  check_failures = 0, validation_failures = 0, resets_failed = 0, discards = 0;
};

enum class Reaction : std::uint8_t { tick, take, complete, deadline, retry, finish_stop };
struct Candidate {
    Reaction what;
    std::size_t index = 0;  // into running or claims
};

// Which call woke a waiter: the reason it may give.
enum class Cause : std::uint8_t { other, cancel, stop };

class World {
public:
    explicit World(const SimConfig& config);
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    // One step, then the invariants.
    void apply(const Op& op);
    // After the last step: faults end and the pool settles (then it must be
    // full and spread), then it stops; every connection must be closed once.
    void wind_down();
    // The pool threads that would act now, in a fixed order.
    const std::vector<Candidate>& candidates();
    std::string describe(const Candidate& c) const;
    bool failed() const { return violation.has_value(); }
    void fail(std::string invariant, std::string detail);
    std::uint32_t backend_index(const std::string& key) const;
    std::size_t held() const;
    std::size_t waiting_cancellable() const;
    double elapsed_ms() const;
    // The pool at a glance, for narrated replays.
    std::string summary() const;

    // ---- read by the checker and the generator
    const SimConfig& config;
    const TimePoint start;
    TimePoint now;
    std::optional<Violation> violation;
    std::vector<std::string> keys;                 // backend index -> key
    std::vector<std::optional<std::pair<std::uint16_t, std::uint16_t>>> resolver;  // what the resolver reported: priority, weight
    std::vector<Faults> faults;
    Ledger ledger;                                 // before the model, whose destruction reports to it
    std::unique_ptr<PoolModel> model;
    std::vector<std::unique_ptr<SimClaim>> claims; // waiting or held, oldest first
    std::vector<RunningTask> running;
    Tally tally;
    bool kicked = false;                  // the rebalancer has work it has not seen
    TimePoint planned_wake;               // what its last tick returned
    bool ticked_since_start = false;      // a tick ran at or after start + rebalance_delay
    bool stop_begun = false, stop_finished = false;
    PoolState last_state = PoolState::Starting;  // as delivered to on_state_change
    std::size_t ticks_here = 0;           // ticks with only reactions between them, at this instant
    std::size_t prev_occupied = 0, prev_size = 0;  // for the cap: over it only while it shrinks
    // This step's tick added back removed backends that were still draining
    // this many claimed and closing connections: they count again.
    std::size_t readmitted = 0;
    std::size_t applied = 0;              // steps so far, the end of the run included
    std::string note;                     // what the last reaction did, for narrated replays
    std::FILE* narrate = nullptr;         // prints every step here, if set

private:
    // ---- world.cpp: the application and the resolver
    void step(const Op& op);
    void claim(const Op& op);
    void try_claim();
    void cancel(const Op& op);
    void release(const Op& op);
    void resolve(const Op& op);
    void stop();
    void advance(const Op& op);
    void carry_out(Effects& fx, Cause cause = Cause::other);
    void woken(Waiter* waiter, Cause cause);
    // A claim is served `slot`: checks the lending, then records it.
    void hold(SimClaim& claim, Slot* slot, bool try_claim);
    void forget(const SimClaim& claim);
    SimClaim* find(const Waiter* waiter);
    std::size_t known_backends() const;
    // ---- reactions.cpp: the pool's threads
    void react(const Op& op);
    void tick();
    void take();
    void complete(std::size_t index);
    void deadline(std::size_t index);
    void retry(std::size_t index);
    void finish_stop();
    void after_tick();
    TimePoint next_due() const;
    void settle();
    void quiesce();

    std::vector<Candidate> candidates_;
    bool quiet_ = false;  // the end of settling: the rebalancer runs when kicked, not on its timers
    // While a validation on claim ends: the claim it was for, which may take
    // its connection even if an older claim went back to the queue meanwhile
    // (its own validated connection was closed as surplus).
    const Waiter* validated_for_ = nullptr;
    std::uint64_t use_time_mask_;
};

}  // namespace cueball::sim
