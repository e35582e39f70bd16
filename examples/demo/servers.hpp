// The demo's backends are simulated in-process: each SimulatedServer is a
// switch the timeline flips (down, or answering with errors), and each
// SimulatedConnection reads its server's switches. Connecting and querying
// take a little time, as they would against a server on this machine.
#pragma once

#include <cueball/backend.hpp>
#include <cueball/connection.hpp>

#include <atomic>
#include <deque>
#include <string>

namespace demo {

struct SimulatedServer {
    cueball::Backend backend;
    /// Refuses connects, and its open connections fail their checks.
    std::atomic<bool> down{false};
    /// Accepts connections but answers queries with errors.
    std::atomic<bool> erroring{false};
};

class SimulatedConnection : public cueball::Connection {
public:
    explicit SimulatedConnection(const SimulatedServer& server) : server_(server) {}
    /// @throws std::runtime_error while the server is down.
    void connect() override;
    void close() noexcept override {}
    /// A down server breaks its connections; the demo's pool checks each one
    /// as it is claimed (validate_on_claim), so no worker queries a dead one.
    bool is_valid() override { return !server_.down; }
    /// False when the server answered with an error.
    bool query();

private:
    const SimulatedServer& server_;
};

/// The servers, in the order given; a deque because atomics do not move.
class SimulatedFleet {
public:
    SimulatedServer& add(cueball::Backend backend);
    /// The server of a backend add() was given. @throws std::out_of_range.
    const SimulatedServer& at(const cueball::Backend& backend) const;
    std::deque<SimulatedServer>& servers() { return servers_; }
    const std::deque<SimulatedServer>& servers() const { return servers_; }

private:
    std::deque<SimulatedServer> servers_;
};

}  // namespace demo
