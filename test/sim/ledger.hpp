// The simulated world's record of every connection object the pool's factory
// made: whether it connected, who holds it, whether a check, reset or discard
// condemned it, how often it was closed and destroyed. SimConnection reports
// close() and its destruction here, so the ledger sees what the model does
// with the objects it owns.
#pragma once

#include <cueball/connection.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cueball::detail {
struct Slot;
}

namespace cueball::sim {

struct ConnectionRecord {
    std::uint32_t backend = 0;
    bool connected = false;  // connect() succeeded
    bool late = false;       // it succeeded after the pool had abandoned it at connect_timeout
    bool condemned = false;  // failed a check or a reset, or was discarded: must never be lent again
    int closes = 0;
    int destroys = 0;
    std::uint64_t holder = 0;  // the claim that holds it; 0 = none
    const detail::Slot* slot = nullptr;  // the pool's slot that holds it, while the pool has it
    // Seen claimed or closing while its backend was removed: allowed above
    // the cap until it is back in service or closed.
    bool exempt = false;
    bool open() const { return connected && closes == 0; }
};

class Ledger {
public:
    std::uint64_t make(std::uint32_t backend);
    ConnectionRecord& at(std::uint64_t id) { return records_[id - 1]; }
    const std::vector<ConnectionRecord>& all() const { return records_; }
    void connected(std::uint64_t id, bool late);
    void closed(std::uint64_t id);
    void destroyed(std::uint64_t id);
    // What close() and the destructors saw that they should not have; the
    // checker reports the first after each step.
    std::vector<std::string> problems;
    std::size_t open = 0;       // connected and not closed
    std::vector<std::uint64_t> open_ids;  // the open ones

private:
    std::vector<ConnectionRecord> records_;  // id - 1
};

class SimConnection final : public Connection {
public:
    SimConnection(Ledger& ledger, std::uint64_t id) : ledger_(ledger), id_(id) {}
    ~SimConnection() override { ledger_.destroyed(id_); }
    SimConnection(const SimConnection&) = delete;
    SimConnection& operator=(const SimConnection&) = delete;
    // The world decides how connects, checks and resets end; these are not called.
    void connect() override {}
    void close() noexcept override { ledger_.closed(id_); }
    std::uint64_t id() const { return id_; }

private:
    Ledger& ledger_;
    const std::uint64_t id_;
};

// The ledger id of a connection the simulated factory made.
inline std::uint64_t id_of(const Connection* c) { return static_cast<const SimConnection*>(c)->id(); }

}  // namespace cueball::sim
