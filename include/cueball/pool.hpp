// ConnectionPool<C>: keeps up to max_connections connections of type C open,
// spread evenly over the backends its resolver reports, and lends them to
// threads through claim(), which returns a move-only RAII PoolHandle<C>.
//
// Thread safety: every member of ConnectionPool may be called from any thread
// at once. A PoolHandle is owned by one thread at a time (it may be moved to
// another); the connection it refers to is the caller's alone until released.
//
// Wake-up guarantee: threads blocked in claim() are served strictly in arrival
// order. A released or newly opened connection goes to the oldest waiter at
// once; a new claimer never takes a connection while others wait. A timeout
// is a deadline: spurious or unrelated wake-ups do not restart it.
//
// Exceptions: claim() throws ClaimTimeout when its deadline passes (the
// message says why: no backends, none connected, or all claimed), PoolStopped
// on a stopped pool, NoBackendsAvailable at once when every backend is dead
// (or, fail-fast, when there are none), ClaimCancelled when its stop_token is
// triggered, InvalidArgument for a negative timeout. The constructor
// throws InvalidArgument for bad options, a null resolver or an empty factory.
// Failures of connect(), is_valid() and reset() never reach callers: the
// connection is closed, the failure logged and counted, and a replacement
// opened.
//
// Object lifetimes: the pool owns its threads, which stop() (and the
// destructor) joins. Handles may outlive stop() and the pool object itself:
// the shared core stays alive until the last handle is released, and
// releasing a handle after stop() closes its connection on the releasing
// thread.
#pragma once

#include <cueball/detail/pool_core.hpp>
#include <cueball/errors.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace cueball {

template <class C>
class ConnectionPool;

/// Per-call settings of claim(options); unset fields take the pool's.
// (The {} initializers let callers use designated initializers for any
// subset of the fields without -Wmissing-field-initializers.)
struct ClaimOptions {
    std::optional<std::chrono::milliseconds> timeout{};  ///< default: PoolOptions::claim_timeout
    std::optional<bool> fail_fast{};                     ///< default: PoolOptions::fail_fast
    std::stop_token stop_token{};                        ///< cancels the claim while it waits
};

/// A claimed connection. Gives it back to the pool when destroyed, released,
/// or overwritten by move-assignment (like std::unique_ptr).
template <class C>
class PoolHandle {
public:
    /// An empty handle, as left by release() or a move.
    PoolHandle() = default;
    PoolHandle(PoolHandle&& other) noexcept
        : core_(other.core_), slot_(std::exchange(other.slot_, nullptr)) {}
    PoolHandle& operator=(PoolHandle&& other) noexcept {
        if (this != &other) {
            release();
            core_ = other.core_;
            slot_ = std::exchange(other.slot_, nullptr);
        }
        return *this;
    }
    PoolHandle(const PoolHandle&) = delete;
    PoolHandle& operator=(const PoolHandle&) = delete;
    ~PoolHandle() { release(); }

    /// @throws InvalidHandle if the handle is empty.
    C& operator*() const { return *get(); }
    /// @throws InvalidHandle if the handle is empty.
    C* operator->() const { return get(); }
    /// The backend this connection goes to. @throws InvalidHandle if empty.
    const Backend& backend() const {
        if (slot_ == nullptr) detail::throw_invalid_handle();
        return *slot_->backend;
    }
    /// False once released or discarded, or moved from.
    explicit operator bool() const noexcept { return slot_ != nullptr; }

    /// Gives the connection back now (after reset() on this thread). A second
    /// call is a no-op.
    void release() noexcept {
        if (slot_ != nullptr) detail::core_release(core_, std::exchange(slot_, nullptr), false);
    }
    /// Closes the connection instead of giving it back; the pool opens a
    /// replacement. A no-op on an empty handle.
    void discard() noexcept {
        if (slot_ != nullptr) detail::core_release(core_, std::exchange(slot_, nullptr), true);
    }

private:
    friend class ConnectionPool<C>;
    PoolHandle(detail::PoolCore* core, detail::SlotView* slot) noexcept : core_(core), slot_(slot) {}
    C* get() const {
        if (slot_ == nullptr) detail::throw_invalid_handle();
        return static_cast<C*>(slot_->object);
    }

    detail::PoolCore* core_ = nullptr;
    detail::SlotView* slot_ = nullptr;
};

template <class C>
class ConnectionPool {
public:
    using Factory = std::function<std::unique_ptr<C>(const Backend&)>;

    /// Starts the rebalancer and worker threads, then the resolver.
    /// @throws InvalidArgument for bad options, a null resolver or an empty factory.
    ConnectionPool(PoolOptions options, std::shared_ptr<Resolver> resolver, Factory factory)
        : ConnectionPool(std::move(options), std::move(resolver), std::move(factory), nullptr) {}
    /// For tests: the pool runs on `clock` (detail::ManualClock: virtual
    /// time) instead of std::chrono::steady_clock.
    ConnectionPool(PoolOptions options, std::shared_ptr<Resolver> resolver, Factory factory,
                   std::shared_ptr<detail::Clock> clock)
        : core_(detail::core_create(std::move(options), std::move(resolver), erase(std::move(factory)),
                                    std::move(clock))) {
        // Here rather than at class scope, so that ConnectionPool<C>::Factory
        // can be named while C is still incomplete.
        static_assert(std::is_base_of_v<Connection, C>, "C must derive from cueball::Connection");
    }
    /// stop(), then frees the pool once no handle remains.
    ~ConnectionPool() { detail::core_destroy(core_); }
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Every claim() records its call site (for long-claim warnings) through
    // the defaulted source location (std::source_location where the library
    // has it): callers never pass it.

    /// Waits up to options.claim_timeout. @throws ClaimTimeout, PoolStopped,
    /// NoBackendsAvailable.
    PoolHandle<C> claim(detail::SourceLocation where = detail::SourceLocation::current()) {
        detail::ClaimRequest r;
        r.default_timeout = true;
        r.site = detail::call_site(where);
        return {core_, detail::core_claim(core_, r)};
    }
    /// Waits up to `timeout` (0 = do not wait). @throws ClaimTimeout,
    /// PoolStopped, NoBackendsAvailable, InvalidArgument (negative timeout).
    PoolHandle<C> claim(std::chrono::milliseconds timeout,
                        detail::SourceLocation where = detail::SourceLocation::current()) {
        detail::ClaimRequest r;
        r.timeout = timeout;
        r.site = detail::call_site(where);
        return {core_, detail::core_claim(core_, r)};
    }
    /// As claim(timeout); a request on `stop` takes the waiter out of the
    /// queue at once and throws ClaimCancelled.
    PoolHandle<C> claim(std::chrono::milliseconds timeout, std::stop_token stop,
                        detail::SourceLocation where = detail::SourceLocation::current()) {
        detail::ClaimRequest r;
        r.timeout = timeout;
        r.stop = &stop;
        r.site = detail::call_site(where);
        return {core_, detail::core_claim(core_, r)};
    }
    /// claim() with per-call settings.
    PoolHandle<C> claim(const ClaimOptions& options, detail::SourceLocation where = detail::SourceLocation::current()) {
        detail::ClaimRequest r;
        r.default_timeout = !options.timeout.has_value();
        r.timeout = options.timeout.value_or(std::chrono::milliseconds(0));
        if (options.fail_fast) r.fail_fast = *options.fail_fast ? 1 : 0;
        r.stop = options.stop_token.stop_possible() ? &options.stop_token : nullptr;
        r.site = detail::call_site(where);
        return {core_, detail::core_claim(core_, r)};
    }
    /// An idle connection if one is free and nobody waits; never blocks.
    /// @throws PoolStopped.
    std::optional<PoolHandle<C>> try_claim(detail::SourceLocation where = detail::SourceLocation::current()) {
        detail::SlotView* slot = detail::core_try_claim(core_, detail::call_site(where));
        if (slot == nullptr) return std::nullopt;
        return PoolHandle<C>(core_, slot);
    }
    /// A consistent snapshot of the pool's counts. Takes the pool's lock only
    /// to copy plain figures; per-backend counters and histograms are read
    /// without it.
    PoolStats stats() const { return detail::core_stats(core_); }
    /// Changes max_connections at run time, through the rebalancer: extra
    /// idle connections close, claimed ones when released; waiters keep their
    /// places. @throws InvalidArgument outside 1 .. 1,000,000, PoolStopped.
    void resize(std::size_t max_connections) { detail::core_resize(core_, max_connections); }
    /// Replaces every connection once (after a credential rotation or a
    /// failover): idle ones now, claimed ones when released, connects under
    /// way when they finish. The factory is called for each replacement.
    /// @throws PoolStopped.
    void refresh() { detail::core_refresh(core_); }
    /// Wakes waiters with PoolStopped, stops the resolver, closes idle
    /// connections and joins every thread. Idempotent; every call returns once
    /// shutdown is complete. Must not be called from inside a Connection method.
    void stop() { detail::core_stop(core_); }

private:
    static detail::ErasedFactory erase(Factory factory) {
        if (!factory) return {};
        return [factory = std::move(factory)](const Backend& backend) {
            std::unique_ptr<C> made = factory(backend);
            C* object = made.get();
            return detail::MadeConnection{std::unique_ptr<Connection>(std::move(made)), object};
        };
    }

    detail::PoolCore* core_;
};

}  // namespace cueball
