// What a transition of the model decided that the driver must carry out
// after the model returns: wake waiters, wake a worker or the rebalancer,
// log, fire probes, destroy connection objects. The model does no I/O and
// calls nothing foreign, so none of this runs under the pool's mutex: the
// driver collects it under the lock and carries it out after unlocking.
//
// An Effects lives on the stack of one driver call. Nothing in it allocates
// unless it is used, so the claim and release path stays allocation-free.
#pragma once

#include "intrusive_list.hpp"
#include "waiter.hpp"

#include <cueball/connection.hpp>

#include <spdlog/fmt/fmt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cueball::detail {

enum class LogLevel : std::uint8_t { Debug, Info, Warn, Error };

struct LogLine {
    LogLevel level;
    std::string text;
};

// Probes the model decides on; those around the driver's own calls
// (claims, connects, checks, resets) the driver fires itself.
enum class ProbeKind : std::uint8_t {
    RebalanceStart,
    RebalanceDone,
    DecoherenceShuffle,
    BackendAdded,
    BackendRemoved,
    BackendOnline,
    BackendOffline,
    BackendDead,
    BackendEjected,
    SlotStateChange,
    PoolStateChange,
    LongClaim,
    ConnectionExpired,
};

struct ProbeEvent {
    ProbeKind kind;
    std::uint64_t claim_id = 0;
    std::uint64_t slot_id = 0;
    std::string backend;  // copied: the backend may be gone when the probe fires
    std::string detail;
    std::string detail2;
};

struct Effects {
    // Served or failed waiters (their `slot` or `wake` says which). Valid
    // only while the driver holds the pool's mutex.
    IntrusiveList<Waiter, &Waiter::link> woken;
    // A waiter woken, still queued, to try for a free connection (bounded
    // fairness): its word is set like a served one's.
    Waiter* poke = nullptr;
    bool wake_worker = false;      // a task was queued
    bool wake_rebalancer = false;  // it has something to do sooner than it planned
    bool state_changed = false;    // a pool state change awaits delivery to on_state_change
    LogLevel log_level = LogLevel::Warn;  // set by the driver: lines below it are not even formatted

    // What the claim and release path never needs, allocated on first use.
    struct Rare {
        std::vector<LogLine> logs;
        std::vector<ProbeEvent> probes;
        // Connection objects to destroy off the lock: closed already, or
        // never connected (a destructor may do I/O).
        std::vector<std::unique_ptr<Connection>> to_destroy;
        // Open connections to close and destroy off the lock, on the calling
        // thread: only when no worker is left (stop).
        std::vector<std::unique_ptr<Connection>> to_close;
    };
    std::unique_ptr<Rare> rare;
    Rare& more() {
        if (!rare) rare = std::make_unique<Rare>();
        return *rare;
    }

    // Nothing to carry out (the claim and release path's usual case).
    bool empty() const {
        return woken.empty() && poke == nullptr && !wake_worker && !wake_rebalancer && !state_changed && !rare;
    }
    bool logs_at(LogLevel level) const { return level >= log_level; }
    template <class... Args>
    void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
        if (logs_at(level)) more().logs.push_back({level, fmt::format(format, std::forward<Args>(args)...)});
    }
    void destroy(std::unique_ptr<Connection> c) { more().to_destroy.push_back(std::move(c)); }
    void close(std::unique_ptr<Connection> c) { more().to_close.push_back(std::move(c)); }
};

}  // namespace cueball::detail
