// One resolution round: the queries that find the current backends (SRV,
// then A and AAAA for targets the SRV answer carries no address for; or A
// and AAAA of a host), and what they add up to.
//
// Bounded whatever the answer holds: at most `max_targets` SRV targets are
// followed (the most preferred), and at most `max_concurrent_queries`
// look-ups are in flight, so never more sockets than that.
#pragma once

#include "backend_set.hpp"
#include "query.hpp"

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace cueball::dns {

// An A or AAAA look-up that got no answer: the backends it gave last time
// stay, with the priority and weight the SRV answer now gives them.
struct FailedLookup {
    std::string name;
    std::uint16_t port = 0;
    std::uint16_t type = 0;  // kTypeA or kTypeAaaa
    std::uint16_t priority = 0;
    std::uint16_t weight = 1;
    std::string error;
};

struct RoundResult {
    enum class Status {
        found,    // backends holds every address found; failed lists what could not be asked
        missing,  // the name does not exist or has no usable records
        failed,   // the SRV query (or every query) failed: nothing is known, keep what we had
    };
    Status status = Status::failed;
    BackendSet backends;
    std::vector<FailedLookup> failed;  // found: look-ups that failed, whose part is kept
    std::size_t dropped_targets = 0;   // SRV targets beyond max_targets, not followed
    std::uint32_t ttl = 0;             // seconds, the shortest TTL among the records used (found)
    std::string reason;                // why missing or failed, for the log
};

// What to look up: an SRV name, or a host name with the backends' port.
struct Target {
    std::string service;
    std::string host;
    std::uint16_t port = 0;
};

struct RoundLimits {
    std::size_t max_targets = 64;
    std::size_t max_concurrent_queries = 8;
};

// Runs one round; calls `done` once on the io_context's thread, unless the
// io_context is stopped first.
void start_round(boost::asio::io_context& io, const QueryConfig& config, const Target& target,
                 const RoundLimits& limits, std::function<void(RoundResult)> done);

}  // namespace cueball::dns
