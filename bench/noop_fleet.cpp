#include "noop_fleet.hpp"

#include <stdexcept>
#include <thread>

namespace bench {

NoopFleet::NoopFleet(std::size_t capacity, std::size_t initial, MakeBackend make)
    : states_(std::make_unique<NoopBackend[]>(capacity)), capacity_(capacity) {
    if (capacity > 65'535 || initial > capacity) throw std::invalid_argument("NoopFleet: too many backends");
    std::vector<cueball::Backend> backends;
    backends.reserve(initial);
    for (std::size_t i = 0; i < initial; ++i) backends.push_back(make(i));
    resolver_ = std::make_shared<cueball::StaticResolver>(std::move(backends));
}

cueball::Backend NoopFleet::backend(std::size_t index) {
    return cueball::Backend{"127.0.0.1", static_cast<std::uint16_t>(index + 1), {}};
}

cueball::Backend NoopFleet::weighted_backend(std::size_t index) {
    cueball::Backend b = backend(index);
    b.priority = index % 10 == 9 ? 1 : 0;
    b.weight = static_cast<std::uint16_t>(1 + index % 4);
    return b;
}

NoopPool::Factory NoopFleet::factory(std::function<void(const NoopConnection&)> on_make) {
    return [this, on_make = std::move(on_make)](const cueball::Backend& b) {
        const std::size_t index = std::size_t{b.port} - 1;
        if (index >= capacity_) throw std::logic_error("backend outside the fleet");
        auto connection = std::make_unique<NoopConnection>(&states_[index]);
        if (on_make) on_make(*connection);
        return connection;
    };
}

cueball::PoolOptions pool_options(const std::string& name, std::size_t max_connections) {
    cueball::PoolOptions options;
    options.name = name;
    options.max_connections = max_connections;
    return options;
}

void wait_warm(const NoopPool& pool, std::size_t open, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const cueball::PoolStats s = pool.stats();
        if (s.idle_connections == open && s.pending_connections == 0) return;
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("pool did not warm up: " + std::to_string(s.idle_connections) + " of " +
                                     std::to_string(open) + " connections idle");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace bench
