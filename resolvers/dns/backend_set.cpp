#include "backend_set.hpp"

#include <tuple>

namespace cueball::dns {

namespace {

bool more_preferred(const Backend& a, const Backend& b) {
    return std::tuple(a.priority, -static_cast<int>(a.weight)) < std::tuple(b.priority, -static_cast<int>(b.weight));
}

bool same_share(const Backend& a, const Backend& b) { return a.priority == b.priority && a.weight == b.weight; }

}  // namespace

void insert_backend(BackendSet& set, Backend backend) {
    BackendKey key = backend_key(backend);
    auto [it, inserted] = set.try_emplace(std::move(key), backend);
    if (!inserted && more_preferred(backend, it->second)) it->second = std::move(backend);
}

std::vector<ResolverEvent> diff_backends(const BackendSet& before, const BackendSet& after) {
    std::vector<ResolverEvent> events;
    for (const auto& [key, backend] : before) {
        if (!after.contains(key)) events.emplace_back(BackendRemoved{key});
    }
    for (const auto& [key, backend] : after) {
        const auto known = before.find(key);
        if (known == before.end() || !same_share(known->second, backend)) {
            events.emplace_back(BackendAdded{key, backend});
        }
    }
    return events;
}

}  // namespace cueball::dns
