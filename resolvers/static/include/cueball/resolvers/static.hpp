// StaticResolver: a fixed list of backends, editable at run time with add()
// and remove(). For tests, demos and services whose backends are configured
// rather than discovered.
//
// Thread safety: all members may be called from any thread. Events are
// delivered on the thread that calls start(), add() or remove(), one at a
// time and in call order.
// Errors: add() and the constructor throw InvalidArgument for a backend with
// an empty address or port 0. A duplicate add() or a remove() of an unknown
// backend is ignored and logged at warning level.
// Lifetimes: after stop() returns the sink is never called again; add() and
// remove() after stop() only edit the list.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/export.hpp>
#include <cueball/resolver.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball {

class CUEBALL_EXPORT StaticResolver : public Resolver {
public:
    /// @throws InvalidArgument for a backend with an empty address or port 0.
    explicit StaticResolver(std::vector<Backend> backends = {}, std::shared_ptr<spdlog::logger> logger = nullptr);

    /// BackendAdded now if started, else at start(). Adding a known address
    /// and port again with a different priority or weight updates it (the
    /// pool gets another BackendAdded); adding it unchanged is ignored.
    /// @throws InvalidArgument.
    void add(Backend backend);
    /// BackendRemoved now if started.
    void remove(const Backend& backend);
    void start(ResolverSink sink) override;
    void stop() override;

private:
    // Delivering under mutex_ is what makes "after stop() returns, the sink is
    // never called" hold, and keeps events in call order.
    std::mutex mutex_;
    std::vector<Backend> backends_;   // guarded by mutex_
    // Position of each backend in backends_, so that add() and remove() cost
    // O(1) and a burst of N changes O(N). Guarded by mutex_.
    std::unordered_map<BackendKey, std::size_t> index_;
    ResolverSink sink_;               // guarded by mutex_; empty unless started
    bool stopped_ = false;            // guarded by mutex_
    std::shared_ptr<spdlog::logger> logger_;  // set once in the constructor
};

}  // namespace cueball
