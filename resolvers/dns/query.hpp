// One DNS question asked of a list of name servers over Asio: UDP to each
// server in turn with a timeout, TCP to the same server when the UDP answer
// is truncated. Runs on the io_context's thread; no locking.
#pragma once

#include "dns_message.hpp"
#include "resolv_conf.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace cueball::dns {

struct QueryResult {
    enum class Status {
        answered,  // NOERROR from a server (possibly with no records)
        nxdomain,  // NXDOMAIN from a server: the name does not exist
        failed,    // no server gave either answer (timeouts, SERVFAIL, REFUSED, garbage)
    };
    Status status = Status::failed;
    Message message;    // when answered or nxdomain
    std::string error;  // when failed: the last server's failure
};

struct QueryConfig {
    std::vector<Endpoint> servers;  // asked in order
    std::chrono::milliseconds timeout{2'000};
    std::shared_ptr<spdlog::logger> logger;  // debug lines for ignored and failed answers
};

// Asks `question`; calls `done` once, on the io_context's thread, unless the
// io_context is stopped first (then `done` is destroyed uncalled).
void start_query(boost::asio::io_context& io, const QueryConfig& config, Question question,
                 std::function<void(QueryResult)> done);

}  // namespace cueball::dns
