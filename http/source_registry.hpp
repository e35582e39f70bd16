// The pools a StatsServer shows: a name and a source per pool, and the
// collection of their statistics for one request.
#pragma once

#include <cueball/stats_server.hpp>

#include <cueball/detail/mutex.hpp>

#include <map>
#include <string>
#include <vector>

namespace cueball::http {

class SourceRegistry {
public:
    /// @throws InvalidArgument for an empty or taken name, or an empty source.
    void add(std::string name, StatsServer::Source source) EXCLUDES(mu_);
    /// Waits for a collect() in progress, so the source is not running when
    /// this returns, nor called again.
    void remove(const std::string& name) EXCLUDES(mu_);
    /// Calls every source, in name order, and names each result after its
    /// registration. @throws std::runtime_error naming the pool whose source
    /// threw.
    std::vector<PoolStats> collect() EXCLUDES(mu_);

private:
    // Held while the sources run, which is what lets remove() promise that a
    // removed source is idle.
    detail::Mutex mu_;
    std::map<std::string, StatsServer::Source> sources_ GUARDED_BY(mu_);
};

}  // namespace cueball::http
