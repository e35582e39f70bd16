// USDT probes, provider "cueball", for bpftrace and other tracers.
//
// Every probe has one call site: a non-inline function in probes.cpp. The
// pool calls it only when the probe's is-enabled semaphore is set (a tracer
// is attached), so an untraced pool pays one load and one predictable branch
// per probe and formats no string. Arguments are integers and pointers to
// heap or static std::string data, never string literals: bpftrace cannot
// read a literal whose page was never touched.
//
// Arguments, in order, for every probe: pool name (string), claim id (u64;
// links claim-start, claim-done, handle-claimed and handle-returned; 0 when
// not about a claim), slot id (u64; 0 when not about a connection), backend
// (string "addr:port"; "" when not about one), detail (string: the reason on
// failures, the old state for slot-state-change; "" otherwise), and a sixth
// argument: the wait in ns for claim-done, the new state for
// slot-state-change and pool-state-change, 0 or "" otherwise. long-claim's
// detail is the call site of claim().
//
// The note names use "__" for "-" (claim__start is claim-start), as dtrace -h
// spells them; bpftrace takes either: usdt:PATH:cueball:claim__start.
#pragma once

#include <cstdint>
#include <string>

#if CUEBALL_WITH_USDT
#define CUEBALL_PROBE_SEMAPHORE_NAME(name) cueball_##name##_semaphore
#define CUEBALL_PROBE_ENABLED(name) (__builtin_expect(CUEBALL_PROBE_SEMAPHORE_NAME(name) != 0, 0))
#define CUEBALL_PROBE_LIST(X)                                                                                       \
    X(claim__start) X(claim__done) X(claim__failed) X(handle__claimed) X(handle__returned) X(connect__start)          \
    X(connect__done) X(connect__failed) X(health__check__start) X(health__check__done) X(health__check__failed)       \
    X(reset__start) X(reset__done) X(reset__failed) X(rebalance__start) X(rebalance__done) X(decoherence__shuffle)    \
    X(backend__added) X(backend__removed) X(backend__online) X(backend__offline) X(slot__state__change)     \
        X(backend__dead) X(pool__state__change) X(long__claim) X(connection__expired) X(backend__ejected)
// Hidden: read PC-relative rather than through the GOT (one instruction per
// check); tracers find them by the address in each probe's note, not by name.
#define CUEBALL_DECLARE_SEMAPHORE(name) \
    extern "C" __attribute__((visibility("hidden"))) volatile unsigned short CUEBALL_PROBE_SEMAPHORE_NAME(name);
CUEBALL_PROBE_LIST(CUEBALL_DECLARE_SEMAPHORE)
#undef CUEBALL_DECLARE_SEMAPHORE
#else
#define CUEBALL_PROBE_ENABLED(name) false
#endif

namespace cueball::detail::probe {

// The common arguments. Strings are referenced, not copied: they must outlive
// the call, which they do as members of the pool's state.
struct Where {
    const std::string& pool;
    std::uint64_t claim_id;
    std::uint64_t slot_id;
    const std::string& backend;
};

// An empty string with static storage for arguments that do not apply.
const std::string& none();

void claim_start(const Where& w);
void claim_done(const Where& w, std::uint64_t wait_ns);
void claim_failed(const Where& w, const std::string& reason);
void handle_claimed(const Where& w);
void handle_returned(const Where& w);
void connect_start(const Where& w);
void connect_done(const Where& w);
void connect_failed(const Where& w, const std::string& reason);
void health_check_start(const Where& w);
void health_check_done(const Where& w);
void health_check_failed(const Where& w, const std::string& reason);
void reset_start(const Where& w);
void reset_done(const Where& w);
void reset_failed(const Where& w, const std::string& reason);
void rebalance_start(const Where& w);
void rebalance_done(const Where& w);
void decoherence_shuffle(const Where& w);
void backend_added(const Where& w);
void backend_removed(const Where& w);
void backend_online(const Where& w);
void backend_offline(const Where& w, const std::string& reason);
void slot_state_change(const Where& w, const std::string& from, const std::string& to);
void backend_dead(const Where& w, const std::string& reason);
void pool_state_change(const Where& w, const std::string& from, const std::string& to);
void long_claim(const Where& w, const std::string& call_site);
void connection_expired(const Where& w);
void backend_ejected(const Where& w, const std::string& for_ms);

// Whether a tracer is attached to any probe the model decides on (so that
// the model records them for the driver to fire).
bool model_probes_enabled();

}  // namespace cueball::detail::probe
