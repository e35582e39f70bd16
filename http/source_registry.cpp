#include "source_registry.hpp"

#include <cueball/errors.hpp>

#include <exception>
#include <stdexcept>

namespace cueball::http {

void SourceRegistry::add(std::string name, StatsServer::Source source) {
    if (name.empty()) throw InvalidArgument("cueball stats server: a pool's name must not be empty");
    if (!source) throw InvalidArgument("cueball stats server: pool '" + name + "': the source is empty");
    detail::MutexLock lock(mu_);
    if (sources_.contains(name)) {
        throw InvalidArgument("cueball stats server: a pool named '" + name + "' is already registered");
    }
    sources_.emplace(std::move(name), std::move(source));
}

void SourceRegistry::remove(const std::string& name) {
    StatsServer::Source removed;
    {
        detail::MutexLock lock(mu_);
        auto it = sources_.find(name);
        if (it == sources_.end()) return;
        removed = std::move(it->second);
        sources_.erase(it);
    }
    // `removed` is destroyed here, unlocked: its captures may be anything.
}

std::vector<PoolStats> SourceRegistry::collect() {
    detail::MutexLock lock(mu_);
    std::vector<PoolStats> pools;
    pools.reserve(sources_.size());
    for (const auto& [name, source] : sources_) {
        try {
            pools.push_back(source());
        } catch (const std::exception& e) {
            throw std::runtime_error("the source of pool '" + name + "' threw: " + e.what());
        } catch (...) {
            throw std::runtime_error("the source of pool '" + name + "' threw a non-standard exception");
        }
        pools.back().name = name;
    }
    return pools;
}

}  // namespace cueball::http
