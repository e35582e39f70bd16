// Resolver: the source of truth for which backends exist. A pool starts its
// resolver once, receives BackendAdded/BackendRemoved events through the sink,
// and stops the resolver when the pool stops.
//
// Thread safety: start() and stop() may be called from any thread; the sink
// may be called from any thread, including the one calling start().
// Lifetimes: after stop() returns the sink is never called again, so the pool
// may destroy whatever the sink refers to.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/export.hpp>

namespace cueball {

class CUEBALL_EXPORT Resolver {
public:
    virtual ~Resolver() = default;
    /// Begin delivering events to `sink`, from any thread. Must not block long.
    virtual void start(ResolverSink sink) = 0;
    /// After stop() returns, the sink is never called again. Idempotent.
    virtual void stop() = 0;
};

}  // namespace cueball
