// A set of no-I/O backends ("127.0.0.1", ports 1..n) behind a StaticResolver,
// and the pools built over them the way a user would build one: default
// PoolOptions except the name and max_connections.
#pragma once

#include "noop_connection.hpp"

#include <cueball/cueball.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using NoopPool = cueball::ConnectionPool<NoopConnection>;

class NoopFleet {
public:
    // `capacity` backends exist; the resolver starts with the first `initial`,
    // made by `make` (backend() unless told otherwise).
    using MakeBackend = cueball::Backend (*)(std::size_t index);
    explicit NoopFleet(std::size_t capacity, std::size_t initial, MakeBackend make = &backend);

    // Backend `index`: 127.0.0.1, port index + 1, default priority and weight.
    static cueball::Backend backend(std::size_t index);
    // The same with mixed SRV preferences: one in ten has priority 1, the
    // rest priority 0; weights cycle through 1, 2, 3, 4.
    static cueball::Backend weighted_backend(std::size_t index);
    NoopBackend& state(std::size_t index) { return states_[index]; }
    const std::shared_ptr<cueball::StaticResolver>& resolver() const { return resolver_; }
    // The factory for a pool over this fleet; `on_make` (optional) sees each
    // connection object as it is made.
    NoopPool::Factory factory(std::function<void(const NoopConnection&)> on_make = {});

private:
    std::unique_ptr<NoopBackend[]> states_;
    std::size_t capacity_;
    std::shared_ptr<cueball::StaticResolver> resolver_;
};

cueball::PoolOptions pool_options(const std::string& name, std::size_t max_connections);

// Waits until the pool holds `open` idle connections and connects nothing,
// or throws after `limit`.
void wait_warm(const NoopPool& pool, std::size_t open,
               std::chrono::milliseconds limit = std::chrono::milliseconds(120'000));

}  // namespace bench
