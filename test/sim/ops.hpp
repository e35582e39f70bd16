// One step of a simulated run. A run is a list of these: the generator makes
// it from a seed, the world applies it, the shrinker drops steps from it. Each
// step says everything it needs (no hidden draws), and one that refers to
// something gone (a claim to release when none is held) does nothing, so
// any sublist of a run is a run that replays the same way every time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cueball::sim {

// How a backend's next connects end.
enum class ConnectMode : std::uint8_t {
    ok,
    fail,
    hang_then_ok,    // connect() returns after connect_timeout, connected
    hang_then_fail,  // connect() throws after connect_timeout
};

// How long a claim may wait.
enum class Timeout : std::uint8_t { zero, short_ms, pool_default, never };

enum class OpKind : std::uint8_t {
    add,       // resolver: backend added, or its priority or weight changed
    remove,    // resolver: backend removed
    fault,     // the world: how this backend's connects, checks and resets end from now on
    claim,
    try_claim,
    cancel,    // a waiting claim's stop token is requested
    release,   // a held claim comes back (reset() as the backend's faults say), or is discarded
    resize,
    refresh,
    stop,
    advance,   // virtual time moves on, at most to the next thing due
    react,     // a pool thread acts: the rebalancer, a worker, a waiter whose deadline came
};

struct Op {
    OpKind kind = OpKind::advance;
    std::uint32_t pick = 0;      // claim to cancel or release, reaction to run: taken modulo the candidates
    std::uint32_t backend = 0;   // add, remove, fault
    std::uint16_t priority = 0;  // add
    std::uint16_t weight = 1;    // add
    ConnectMode connect = ConnectMode::ok;  // fault
    bool check_fails = false;    // fault: is_valid() returns false
    bool reset_fails = false;    // fault: reset() returns false
    Timeout timeout = Timeout::pool_default;  // claim
    std::uint32_t timeout_ms = 0;             // claim, with Timeout::short_ms
    std::int8_t fail_fast = -1;  // claim: -1 = the pool's option, else 0 or 1
    bool cancellable = false;    // claim: has a stop token
    bool discard = false;        // release
    std::uint32_t size = 0;      // resize
    std::chrono::microseconds dt{0};  // advance
};

std::string describe(const Op& op);

}  // namespace cueball::sim
