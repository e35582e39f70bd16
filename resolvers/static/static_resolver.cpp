#include <cueball/detail/logging.hpp>
#include <cueball/errors.hpp>
#include <cueball/resolvers/static.hpp>

#include <spdlog/spdlog.h>


namespace cueball {

namespace {

void check_backend(const Backend& backend) {
    if (backend.address.empty()) throw InvalidArgument("StaticResolver: backend address is empty");
    if (backend.port == 0) {
        throw InvalidArgument("StaticResolver: backend '" + backend.address + "' has port 0");
    }
}

}  // namespace

StaticResolver::StaticResolver(std::vector<Backend> backends, std::shared_ptr<spdlog::logger> logger)
    : logger_(logger ? std::move(logger) : detail::quiet_stderr_logger("cueball.static")) {
    for (Backend& backend : backends) add(std::move(backend));
}

void StaticResolver::add(Backend backend) {
    check_backend(backend);
    std::lock_guard lock(mutex_);
    BackendKey key = backend_key(backend);
    const auto [it, inserted] = index_.emplace(key, backends_.size());
    if (!inserted) {
        Backend& known = backends_[it->second];
        if (known.priority == backend.priority && known.weight == backend.weight) {
            logger_->warn("static resolver: backend {} added twice; ignored", key);
            return;
        }
        // Same key with a new priority or weight: an update, passed on as an
        // Added the pool applies to the backend it knows.
        known.priority = backend.priority;
        known.weight = backend.weight;
        backend = known;
        if (sink_ && !stopped_) sink_(BackendAdded{std::move(key), std::move(backend)});
        return;
    }
    backends_.push_back(backend);
    if (sink_ && !stopped_) sink_(BackendAdded{std::move(key), std::move(backend)});
}

void StaticResolver::remove(const Backend& backend) {
    std::lock_guard lock(mutex_);
    BackendKey key = backend_key(backend);
    auto it = index_.find(key);
    if (it == index_.end()) {
        logger_->warn("static resolver: backend {} removed but not known; ignored", key);
        return;
    }
    // Fill the hole with the last backend rather than shifting the rest.
    const std::size_t hole = it->second;
    index_.erase(it);
    if (hole != backends_.size() - 1) {
        backends_[hole] = std::move(backends_.back());
        index_[backend_key(backends_[hole])] = hole;
    }
    backends_.pop_back();
    if (sink_ && !stopped_) sink_(BackendRemoved{std::move(key)});
}

void StaticResolver::start(ResolverSink sink) {
    if (!sink) throw InvalidArgument("StaticResolver::start: sink is empty");
    std::lock_guard lock(mutex_);
    if (sink_) throw InvalidArgument("StaticResolver::start: already started");
    sink_ = std::move(sink);
    if (stopped_) return;
    for (const Backend& backend : backends_) sink_(BackendAdded{backend_key(backend), backend});
}

void StaticResolver::stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
}

}  // namespace cueball
