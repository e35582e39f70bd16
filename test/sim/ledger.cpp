#include "ledger.hpp"

#include <spdlog/fmt/fmt.h>

#include <vector>

namespace cueball::sim {

std::uint64_t Ledger::make(std::uint32_t backend) {
    records_.push_back({});
    records_.back().backend = backend;
    return records_.size();
}

void Ledger::connected(std::uint64_t id, bool late) {
    ConnectionRecord& r = at(id);
    r.connected = true;
    r.late = late;
    ++open;
    open_ids.push_back(id);
}

void Ledger::closed(std::uint64_t id) {
    ConnectionRecord& r = at(id);
    if (r.open()) {
        --open;
        std::erase(open_ids, id);
    }
    ++r.closes;
    if (r.closes > 1) problems.push_back(fmt::format("connection {} closed {} times", id, r.closes));
    if (!r.connected) problems.push_back(fmt::format("connection {} closed but never connected", id));
    if (r.holder != 0) problems.push_back(fmt::format("connection {} closed while claim {} holds it", id, r.holder));
}

void Ledger::destroyed(std::uint64_t id) {
    ConnectionRecord& r = at(id);
    ++r.destroys;
    r.slot = nullptr;
    if (r.destroys > 1) problems.push_back(fmt::format("connection {} destroyed twice", id));
    if (r.connected && r.closes == 0) problems.push_back(fmt::format("connection {} destroyed without close()", id));
    if (r.holder != 0) problems.push_back(fmt::format("connection {} destroyed while claim {} holds it", id, r.holder));
}

}  // namespace cueball::sim
