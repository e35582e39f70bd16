#include "servers.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace demo {

using namespace std::chrono_literals;

void SimulatedConnection::connect() {
    std::this_thread::sleep_for(20ms);
    if (server_.down) throw std::runtime_error("connection refused by " + cueball::backend_key(server_.backend));
}

bool SimulatedConnection::query() {
    std::this_thread::sleep_for(2ms);
    return !server_.erroring;
}

SimulatedServer& SimulatedFleet::add(cueball::Backend backend) {
    SimulatedServer& server = servers_.emplace_back();
    server.backend = std::move(backend);
    return server;
}

const SimulatedServer& SimulatedFleet::at(const cueball::Backend& backend) const {
    const cueball::BackendKey key = cueball::backend_key(backend);
    for (const SimulatedServer& s : servers_) {
        if (cueball::backend_key(s.backend) == key) return s;
    }
    throw std::out_of_range("no simulated server " + key);
}

}  // namespace demo
