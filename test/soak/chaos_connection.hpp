// ChaosConnection: a real TcpConnection whose connect(), is_valid() and
// reset() first consult fault switches the soak's chaos thread flips per
// backend (slow or failing connects, failing health checks and resets: what
// a live echo server cannot be made to do on demand), and which keeps a
// ledger of every connection opened and closed, so the soak can prove that
// each one is closed exactly once and never used by two claimers at once.
#pragma once

#include <cueball/connections/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace cueball::soak {

// Faults of one backend, by its port; all off by default.
struct Faults {
    std::chrono::milliseconds connect_delay{0};  // connect() sleeps this long first
    bool fail_connect = false;                   // connect() throws
    bool fail_check = false;                     // is_valid() returns false
    bool fail_reset = false;                     // reset() returns false
    bool reset_throws = false;                   // reset() throws
};

// Shared by the chaos thread (writes) and the pool's threads (read).
class FaultSwitches {
public:
    void set(std::uint16_t port, Faults faults);
    Faults get(std::uint16_t port) const;
    void clear_all();
    // Times the echo server on `port` was killed or came back: a connection
    // opened while the generation was g saw its server die if it is now != g.
    std::uint64_t generation(std::uint16_t port) const;
    void bump_generation(std::uint16_t port);

private:
    mutable std::mutex mutex_;
    std::map<std::uint16_t, Faults> faults_;            // guarded by mutex_
    std::map<std::uint16_t, std::uint64_t> generation_;  // guarded by mutex_
};

// What happened to every ChaosConnection, summed.
struct Ledger {
    std::atomic<std::uint64_t> opened{0};        // connect() succeeded
    std::atomic<std::uint64_t> closed{0};        // first close() of an opened one
    std::atomic<std::uint64_t> closed_again{0};  // further close() calls: the pool closed it twice
    std::atomic<std::uint64_t> leaked{0};        // destroyed opened but never closed
    std::atomic<std::uint64_t> double_use{0};    // claimed while another claimer held it, or after close
};

class ChaosConnection : public TcpConnection {
public:
    ChaosConnection(Backend backend, TcpOptions options, std::shared_ptr<FaultSwitches> faults,
                    std::shared_ptr<Ledger> ledger);
    ~ChaosConnection() override;

    void connect() override;
    void close() noexcept override;
    bool is_valid() override;
    bool reset() override;

    // Brackets a claimer's use; counts in the ledger if two overlap.
    void begin_use();
    void end_use();
    // The server generation when connect() began (see FaultSwitches).
    std::uint64_t generation() const { return generation_; }

private:
    std::shared_ptr<FaultSwitches> faults_;
    std::shared_ptr<Ledger> ledger_;
    std::uint64_t generation_ = 0;
    bool opened_ = false;
    std::atomic<int> closes_{0};
    std::atomic<int> users_{0};
};

}  // namespace cueball::soak
