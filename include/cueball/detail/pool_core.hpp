// The type-erased core behind ConnectionPool<C>: the templates in pool.hpp
// are thin wrappers over these functions, which live in the compiled library.
// Installed because pool.hpp needs it; not for direct use.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>
#include <cueball/detail/clock.hpp>
#include <cueball/detail/source_location.hpp>
#include <cueball/export.hpp>
#include <cueball/options.hpp>
#include <cueball/resolver.hpp>
#include <cueball/stats.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>

namespace cueball::detail {

class PoolCore;

// What a handle reads without a call into the library, and so without the
// pool's mutex. The core's slots derive from it and write both fields under
// the mutex (backend when the slot is made, object when connect() succeeds);
// neither changes while a slot is claimed.
struct SlotView {
    void* object = nullptr;             // the C* the user's factory returned
    const Backend* backend = nullptr;   // lives as long as the slot
};

// A connection made by the user's factory: ownership through the base class,
// and the derived pointer that handles give back to the user.
struct MadeConnection {
    std::unique_ptr<Connection> connection;
    void* object = nullptr;
};
using ErasedFactory = std::function<MadeConnection(const Backend&)>;

// Starts the pool's threads and the resolver. Throws InvalidArgument for bad
// options, a null resolver, an empty factory, or a resolver another pool
// uses. `clock` null: std::chrono::steady_clock.
CUEBALL_EXPORT PoolCore* core_create(PoolOptions options, std::shared_ptr<Resolver> resolver, ErasedFactory factory,
                      std::shared_ptr<Clock> clock);
// For ~ConnectionPool: stops the pool; the core frees itself when the last
// outstanding handle is released.
CUEBALL_EXPORT void core_destroy(PoolCore* core) noexcept;

// One claim() call, as the templates pass it to the core.
struct ClaimRequest {
    std::chrono::milliseconds timeout{0};
    bool default_timeout = false;         // use PoolOptions::claim_timeout instead
    int fail_fast = -1;                   // -1 = PoolOptions::fail_fast, else 0/1
    const std::stop_token* stop = nullptr;
    CallSite site;
};
inline CallSite call_site(const SourceLocation& where) {
    return {where.file_name(), where.function_name(), where.line()};
}

CUEBALL_EXPORT SlotView* core_claim(PoolCore* core, const ClaimRequest& request);
CUEBALL_EXPORT SlotView* core_try_claim(PoolCore* core, const CallSite& site);
CUEBALL_EXPORT void core_release(PoolCore* core, SlotView* slot, bool discard) noexcept;
CUEBALL_EXPORT PoolStats core_stats(const PoolCore* core);
CUEBALL_EXPORT void core_stop(PoolCore* core);
CUEBALL_EXPORT void core_resize(PoolCore* core, std::size_t max_connections);
CUEBALL_EXPORT void core_refresh(PoolCore* core);

[[noreturn]] CUEBALL_EXPORT void throw_invalid_handle();

}  // namespace cueball::detail
