// The pool's bookkeeping for one connection (a slot) and one backend (an
// entry). Both are edited only under PoolCore::mu_; PoolCore::transition() is
// the one place that changes a slot's state and the counts derived from it.
#pragma once

#include "intrusive_list.hpp"
#include "observability/live_histogram.hpp"

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>
#include <cueball/detail/pool_core.hpp>
#include <cueball/stats.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace cueball::detail {

using Clock = std::chrono::steady_clock;

enum class SlotState : std::uint8_t {
    None,        // not (or no longer) part of the pool; not counted
    Connecting,  // queued for, or running, connect() on a worker
    Idle,        // open, in the idle (decoherence) queue
    Claimed,     // held by a PoolHandle; the pool does not touch it
    Checking,    // out of the idle queue, queued for or running is_valid()
    Closing,     // queued for, or running, close() on a worker
    Abandoned,   // connect() outlived connect_timeout; closed when it returns
};
inline constexpr std::size_t kSlotStates = 7;
constexpr std::size_t idx(SlotState s) { return static_cast<std::size_t>(s); }
// States that count toward a backend's target: open or about to be.
constexpr bool is_live(SlotState s) {
    return s == SlotState::Connecting || s == SlotState::Idle || s == SlotState::Claimed ||
           s == SlotState::Checking;
}
// Names for logs and probes, with static storage (probes need resident memory).
const std::string& state_name(SlotState state);

struct BackendEntry;

struct Slot : SlotView {
    ListLink<Slot> link;          // idle queue, a backend's task queue, or the in-flight list
    BackendEntry* entry = nullptr;
    std::unique_ptr<Connection> connection;  // null until connect() succeeds
    SlotState state = SlotState::None;
    std::uint64_t id = 0;         // unique per pool, for logs and probes
    std::uint64_t claim_epoch = 0;  // health-check epoch of the last claim
    std::uint64_t claim_id = 0;     // the claim holding it, while Claimed (for probes)
    Clock::time_point started{};  // when the running task began (connect_timeout)
    Clock::time_point expires{};  // max_lifetime: closed when idle or released after this
    Clock::time_point last_used{};  // validate_on_claim: last release (or connect)
    Clock::time_point claimed_at{};  // claim_warning_threshold: when lent
    CallSite site;                // where the current claim was made
    bool warned = false;          // the current claim was reported as long
};

struct BackendEntry {
    // The fields the claim and release path touches come first, so that they
    // share as few cache lines as possible.
    std::array<std::size_t, kSlotStates> count{};  // slots here per state
    std::size_t target = 0;                         // connections wanted here
    bool removed = false;                           // draining: no new connections
    Counters counters;                              // since added
    LiveHistogram claim_wait;                       // claims that waited; see wait_histogram()
    BackendKey key;
    Backend backend;
    IntrusiveList<Slot, &Slot::link> tasks;         // slots waiting for a worker
    ListLink<BackendEntry> ready_link;              // in PoolCore::ready_
    bool in_ready = false;
    std::size_t running = 0;                        // tasks on workers now
    std::uint64_t consecutive_failures = 0;         // 0 = healthy
    bool dead = false;                              // dead_after_failures reached
    double churn_tokens = 0;                        // max_churn_rate bucket
    Clock::time_point churn_refilled{};             // when churn_tokens was last topped up
    bool online = false;                            // a connect has succeeded since added
    Clock::time_point next_attempt{};               // earliest retry while failing
    std::string last_error;

    // Slots that count toward `target`: open or about to be.
    std::size_t live() const {
        return count[static_cast<std::size_t>(SlotState::Connecting)] +
               count[static_cast<std::size_t>(SlotState::Idle)] +
               count[static_cast<std::size_t>(SlotState::Claimed)] +
               count[static_cast<std::size_t>(SlotState::Checking)];
    }
    std::size_t slots() const {
        std::size_t n = 0;
        for (std::size_t c : count) n += c;
        return n;
    }
    std::size_t in(SlotState s) const { return count[static_cast<std::size_t>(s)]; }
    bool failing() const { return consecutive_failures > 0; }
    // claim_wait with its first bucket (claims served at once) filled in:
    // every claim not recorded in a later bucket.
    LatencyHistogram wait_histogram() const { return claim_wait.snapshot(counters.claims - claim_wait.count()); }
    BackendState state() const {
        if (removed) return BackendState::Draining;
        if (dead) return BackendState::Dead;
        if (failing()) return BackendState::Failing;
        return online ? BackendState::Online : BackendState::Connecting;
    }
};

}  // namespace cueball::detail
