// A claim that waits. The Waiter lives on the claiming thread's stack; the
// model queues it and, to serve or fail it, fills in `slot` or `wake` and
// reports it in Effects::woken. The driver then publishes `word` (before it
// unlocks: after that the waiter may return and the object be gone) and
// wakes the thread.
#pragma once

#include "intrusive_list.hpp"
#include "../rules/time.hpp"

#include <cueball/stats.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace cueball::detail {

struct Slot;

// Why a waiter was woken without a connection.
enum class Wake : std::uint8_t { None, Stopped, Failed, Cancelled, TimedOut };

struct Waiter {
    ListLink<Waiter> link;              // model: in the waiter FIFO, or in Effects::woken
    Slot* slot = nullptr;               // model: the connection it was served
    Slot* validating = nullptr;         // model: the connection being validated for it
    Wake wake = Wake::None;             // model: why it was woken without one
    bool queued = false;                // model: in the waiter FIFO
    bool poked = false;                 // model: woken to compete for a free connection (bounded fairness)
    bool fail_fast = false;             // set before queueing, then read-only
    std::uint64_t claim_id = 0;         // set before queueing, then read-only
    TimePoint since{};                  // set before queueing: when it began to wait
    TimePoint deadline = kNever;        // set before queueing
    CallSite site;                      // set before queueing
    std::chrono::milliseconds timeout{0};  // set before queueing: for the timeout message
    std::string message;                // model: the error text when woken without a connection
    // Driver: kWaiting, then kDone once served or failed (slot or wake say
    // which), or kPoked to compete for a free connection (bounded fairness).
    // Written under the pool's mutex, read by the waiting thread without it.
    static constexpr std::uint32_t kWaiting = 0, kDone = 1, kPoked = 2;
    std::atomic<std::uint32_t> word{kWaiting};
};

}  // namespace cueball::detail
