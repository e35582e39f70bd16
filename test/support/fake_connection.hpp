// A fake connection for the core's tests: no I/O, but every behaviour a real
// connection can show is scriptable per backend (slow or failing connects,
// failing health checks and resets), and every connect and close is counted
// so tests can check that nothing leaks and nothing is closed twice.
#pragma once

#include <cueball/cueball.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace cueball::test {

struct FakeBehaviour {
    std::chrono::milliseconds connect_delay{0};  // connect() blocks this long
    bool fail_connect = false;                   // connect() throws
    bool factory_throws = false;                 // the factory throws
    bool factory_returns_null = false;           // the factory returns nullptr
    bool invalid = false;                        // is_valid() returns false
    bool is_valid_throws = false;                // is_valid() throws
    bool fail_reset = false;                     // reset() returns false
    bool reset_throws = false;                   // reset() throws
    std::chrono::milliseconds check_delay{0};    // is_valid() blocks this long
};

struct FakeCounts {
    std::uint64_t attempts = 0;   // connect() calls
    std::uint64_t connects = 0;   // connect() calls that succeeded
    std::uint64_t closes = 0;     // first close() of a connected object
    std::uint64_t checks = 0;     // is_valid() calls
    std::uint64_t resets = 0;     // reset() calls
    std::uint64_t open() const { return connects - closes; }
};

class FakeConnection;

// Shared by all fake connections of a test: behaviour by backend key, counts
// by backend key, and checks of the pool's promises.
class FakeWorld : public std::enable_shared_from_this<FakeWorld> {
public:
    void set(const BackendKey& key, FakeBehaviour behaviour);
    FakeBehaviour behaviour(const BackendKey& key) const;
    FakeCounts counts(const BackendKey& key) const;
    FakeCounts totals() const;
    // Connections destroyed while connected but never closed.
    std::uint64_t leaked() const { return leaked_.load(); }
    // Times a connection was used by two claimers at once (see FakeConnection::use).
    std::uint64_t double_claims() const { return double_claims_.load(); }
    // Connect attempt start times for a backend, in order.
    std::vector<std::chrono::steady_clock::time_point> attempt_times(const BackendKey& key) const;
    // How many connect() calls are blocked in their delay right now.
    int connects_in_progress(const BackendKey& key) const;
    // How many is_valid() calls are running right now, on any backend.
    int checks_in_progress() const { return checks_in_progress_.load(); }
    // Connections that failed is_valid() or reset() (or that the test
    // condemned, which also makes their is_valid() fail): the pool must never
    // hand them out again.
    void condemn(std::uint64_t id);
    // Claims that got a condemned connection.
    std::uint64_t condemned_claims() const { return condemned_claims_.load(); }

    ConnectionPool<FakeConnection>::Factory factory();

private:
    friend class FakeConnection;
    mutable std::mutex mutex_;
    std::map<BackendKey, FakeBehaviour> behaviour_;  // guarded by mutex_
    std::map<BackendKey, FakeCounts> counts_;        // guarded by mutex_
    std::map<BackendKey, std::vector<std::chrono::steady_clock::time_point>> attempts_;  // guarded by mutex_
    std::map<BackendKey, int> in_progress_;          // guarded by mutex_
    std::set<std::uint64_t> condemned_;              // guarded by mutex_
    std::atomic<int> checks_in_progress_{0};
    std::atomic<std::uint64_t> condemned_claims_{0};
    std::atomic<std::uint64_t> leaked_{0};
    std::atomic<std::uint64_t> double_claims_{0};
    std::atomic<std::uint64_t> next_id_{1};
};

class FakeConnection : public Connection {
public:
    FakeConnection(std::shared_ptr<FakeWorld> world, Backend backend);
    ~FakeConnection() override;

    void connect() override;
    void close() noexcept override;
    bool is_valid() override;
    bool reset() override;

    // Marks the connection in use by a claimer for the scope of a claim;
    // counts in the world if two claimers overlap.
    void begin_use();
    void end_use();

    std::uint64_t id() const { return id_; }
    const BackendKey& key() const { return key_; }
    bool closed() const { return closed_; }

private:
    std::shared_ptr<FakeWorld> world_;
    BackendKey key_;
    std::uint64_t id_;
    bool connected_ = false;
    bool closed_ = false;
    std::atomic<int> users_{0};
};

// Backends 127.0.0.1:port for port in [first, first + n).
std::vector<Backend> loopback_backends(int n, std::uint16_t first = 10001);

}  // namespace cueball::test
