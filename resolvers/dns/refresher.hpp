// The resolver thread's work: a round of queries, then a wait (the TTL, or a
// back-off while DNS fails), then the next round, until the io_context stops.
// Turns each round into BackendAdded / BackendRemoved for what changed.
//
// State table (one transition function, enter(), logs each change once):
//
//   state       entered when a round...          keeps        next round after
//   unresolved  (initial)                        -            at once
//   found       found backends                   the new set  the TTL, clamped
//   missing     got NXDOMAIN or no records       nothing      min_ttl
//   failing     could not get an answer          the old set  back-off, min_ttl..max_ttl
//               for some look-ups                (for those)
//
// Lives on the io_context's thread only; no locking.
#pragma once

#include "backend_set.hpp"
#include "query.hpp"
#include "round.hpp"

#include <cueball/backend.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <random>

namespace spdlog {
class logger;
}

namespace cueball::dns {

struct RefreshConfig {
    QueryConfig query;
    Target target;
    RoundLimits limits;
    std::chrono::milliseconds min_ttl{1'000};
    std::chrono::milliseconds max_ttl{300'000};
    std::shared_ptr<spdlog::logger> logger;
};

class Refresher {
public:
    Refresher(boost::asio::io_context& io, RefreshConfig config, ResolverSink sink);

    // Posts the first round. Call once, before the io_context runs.
    void start();

private:
    enum class State {
        unresolved,  // no round has finished yet
        found,       // the last round found backends, now current_
        missing,     // the last round found the name gone or empty; current_ is empty
        failing,     // rounds fail; current_ is the last good set
    };

    void run_round();
    void on_round(RoundResult result);
    void enter(State next, const RoundResult& result);
    void replace(BackendSet next);
    void wait(std::chrono::milliseconds delay);
    void wait_to_retry();
    // Adds to `next` the backends current_ has from the look-up that failed.
    void keep_last_good(BackendSet& next, const FailedLookup& failed) const;
    const char* what() const;

    boost::asio::io_context& io_;
    const RefreshConfig config_;
    const ResolverSink sink_;
    boost::asio::steady_timer timer_;  // the wait between rounds
    State state_ = State::unresolved;  // written by enter() only
    BackendSet current_;               // what the sink has been told
    std::uint64_t failures_ = 0;       // failed rounds in a row
    std::mt19937_64 random_;           // back-off jitter
    bool warned_dropped_ = false;      // the last round dropped SRV targets and said so
};

}  // namespace cueball::dns
