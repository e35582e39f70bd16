#include "resolver_registry.hpp"

#include <cueball/errors.hpp>

#include <spdlog/fmt/fmt.h>

#include <mutex>
#include <unordered_map>

namespace cueball::detail {

namespace {

struct Registry {
    std::mutex mu;
    std::unordered_map<const Resolver*, std::string> pools;  // guarded by mu: resolver -> the pool it feeds
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

void claim_resolver(const Resolver* resolver, const std::string& pool) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    auto [it, inserted] = r.pools.emplace(resolver, pool);
    if (!inserted) {
        throw InvalidArgument(fmt::format(
            "cueball pool '{}': the resolver already feeds pool '{}'; give each pool its own resolver object", pool,
            it->second));
    }
}

void free_resolver(const Resolver* resolver) noexcept {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.pools.erase(resolver);
}

}  // namespace cueball::detail
