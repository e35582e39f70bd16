#include "backend_set.hpp"

namespace cueball::dns {

void insert_backend(BackendSet& set, Backend backend) {
    BackendKey key = backend_key(backend);
    set.try_emplace(std::move(key), std::move(backend));
}

std::vector<ResolverEvent> diff_backends(const BackendSet& before, const BackendSet& after) {
    std::vector<ResolverEvent> events;
    for (const auto& [key, backend] : before) {
        if (!after.contains(key)) events.emplace_back(BackendRemoved{key});
    }
    for (const auto& [key, backend] : after) {
        if (!before.contains(key)) events.emplace_back(BackendAdded{key, backend});
    }
    return events;
}

}  // namespace cueball::dns
