// One resolution round: the queries that find the current backends (SRV,
// then A and AAAA for targets the SRV answer carries no address for; or A
// and AAAA of a host), and what they add up to.
#pragma once

#include "backend_set.hpp"
#include "query.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

namespace cueball::dns {

struct RoundResult {
    enum class Status {
        found,    // backends holds every address found (at least one)
        missing,  // the name does not exist or has no usable records
        failed,   // a query failed: nothing is known, keep what we had
    };
    Status status = Status::failed;
    BackendSet backends;
    std::uint32_t ttl = 0;  // seconds, the shortest TTL among the records used (found)
    std::string reason;     // why missing or failed, for the log
};

// What to look up: an SRV name, or a host name with the backends' port.
struct Target {
    std::string service;
    std::string host;
    std::uint16_t port = 0;
};

// Runs one round; calls `done` once on the io_context's thread, unless the
// io_context is stopped first.
void start_round(boost::asio::io_context& io, const QueryConfig& config, const Target& target,
                 std::function<void(RoundResult)> done);

}  // namespace cueball::dns
