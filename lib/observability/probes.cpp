#include "probes.hpp"

#if CUEBALL_WITH_USDT
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

// The semaphores tracers increment when they attach; the .probes section is
// where systemtap's tools and bpftrace expect them.
#define CUEBALL_DEFINE_SEMAPHORE(name)                                                 \
    __attribute__((section(".probes"), visibility("hidden"))) volatile unsigned short \
        CUEBALL_PROBE_SEMAPHORE_NAME(name) = 0;
extern "C" {
CUEBALL_PROBE_LIST(CUEBALL_DEFINE_SEMAPHORE)
}
#undef CUEBALL_DEFINE_SEMAPHORE

#define CUEBALL_FIRE(name, w, a, b) \
    STAP_PROBE6(cueball, name, (w).pool.c_str(), (w).claim_id, (w).slot_id, (w).backend.c_str(), a, b)
#else
#define CUEBALL_FIRE(name, w, a, b) \
    do {                            \
        (void)(w);                  \
        (void)(a);                  \
        (void)(b);                  \
    } while (0)
#endif

namespace cueball::detail::probe {

namespace {
// Arguments that do not apply still point at resident memory.
const std::uint64_t kZero = 0;
}  // namespace

const std::string& none() {
    static const std::string empty;
    return empty;
}

#define CUEBALL_SIMPLE_PROBE(fn, name) \
    void fn(const Where& w) { CUEBALL_FIRE(name, w, none().c_str(), kZero); }
#define CUEBALL_REASON_PROBE(fn, name) \
    void fn(const Where& w, const std::string& reason) { CUEBALL_FIRE(name, w, reason.c_str(), kZero); }

CUEBALL_SIMPLE_PROBE(claim_start, claim__start)
CUEBALL_REASON_PROBE(claim_failed, claim__failed)
CUEBALL_SIMPLE_PROBE(handle_claimed, handle__claimed)
CUEBALL_SIMPLE_PROBE(handle_returned, handle__returned)
CUEBALL_SIMPLE_PROBE(connect_start, connect__start)
CUEBALL_SIMPLE_PROBE(connect_done, connect__done)
CUEBALL_REASON_PROBE(connect_failed, connect__failed)
CUEBALL_SIMPLE_PROBE(health_check_start, health__check__start)
CUEBALL_SIMPLE_PROBE(health_check_done, health__check__done)
CUEBALL_REASON_PROBE(health_check_failed, health__check__failed)
CUEBALL_SIMPLE_PROBE(reset_start, reset__start)
CUEBALL_SIMPLE_PROBE(reset_done, reset__done)
CUEBALL_REASON_PROBE(reset_failed, reset__failed)
CUEBALL_SIMPLE_PROBE(rebalance_start, rebalance__start)
CUEBALL_SIMPLE_PROBE(rebalance_done, rebalance__done)
CUEBALL_SIMPLE_PROBE(decoherence_shuffle, decoherence__shuffle)
CUEBALL_SIMPLE_PROBE(backend_added, backend__added)
CUEBALL_SIMPLE_PROBE(backend_removed, backend__removed)
CUEBALL_SIMPLE_PROBE(backend_online, backend__online)
CUEBALL_REASON_PROBE(backend_offline, backend__offline)
CUEBALL_REASON_PROBE(backend_dead, backend__dead)
CUEBALL_REASON_PROBE(long_claim, long__claim)
CUEBALL_SIMPLE_PROBE(connection_expired, connection__expired)
CUEBALL_REASON_PROBE(backend_ejected, backend__ejected)

bool model_probes_enabled() {
    return CUEBALL_PROBE_ENABLED(rebalance__start) || CUEBALL_PROBE_ENABLED(rebalance__done) ||
           CUEBALL_PROBE_ENABLED(decoherence__shuffle) || CUEBALL_PROBE_ENABLED(backend__added) ||
           CUEBALL_PROBE_ENABLED(backend__removed) || CUEBALL_PROBE_ENABLED(backend__online) ||
           CUEBALL_PROBE_ENABLED(backend__offline) || CUEBALL_PROBE_ENABLED(backend__dead) ||
           CUEBALL_PROBE_ENABLED(backend__ejected) || CUEBALL_PROBE_ENABLED(slot__state__change) ||
           CUEBALL_PROBE_ENABLED(pool__state__change) || CUEBALL_PROBE_ENABLED(long__claim) ||
           CUEBALL_PROBE_ENABLED(connection__expired);
}

void claim_done(const Where& w, std::uint64_t wait_ns) { CUEBALL_FIRE(claim__done, w, none().c_str(), wait_ns); }

void slot_state_change(const Where& w, const std::string& from, const std::string& to) {
    CUEBALL_FIRE(slot__state__change, w, from.c_str(), to.c_str());
}

void pool_state_change(const Where& w, const std::string& from, const std::string& to) {
    CUEBALL_FIRE(pool__state__change, w, from.c_str(), to.c_str());
}

}  // namespace cueball::detail::probe
