// A connection that does no I/O: connect, close, is_valid and reset return at
// once, so the workloads measure the pool and nothing else. A backend can be
// "killed" (its connects throw, its open connections fail is_valid and
// reset), and open connections are counted per backend group, so failover and
// churn can be observed without polling the pool.
#pragma once

#include <cueball/connection.hpp>

#include <atomic>
#include <cstdint>
#include <stdexcept>

namespace bench {

// Shared by every connection to one backend.
struct NoopBackend {
    std::atomic<bool> dead{false};
    // Connected and not yet closed, summed over the backends sharing it; may
    // be null.
    std::atomic<std::int64_t>* open = nullptr;
};

class NoopConnection : public cueball::Connection {
public:
    explicit NoopConnection(NoopBackend* backend) : backend_(backend) {}

    void connect() override {
        if (dead()) throw std::runtime_error("backend killed by the benchmark");
        if (backend_->open != nullptr) backend_->open->fetch_add(1, std::memory_order_relaxed);
        connected_ = true;
    }
    void close() noexcept override {
        if (connected_ && backend_->open != nullptr) backend_->open->fetch_sub(1, std::memory_order_relaxed);
        connected_ = false;
    }
    bool is_valid() override { return !dead(); }
    bool reset() override { return !dead(); }

    bool dead() const { return backend_->dead.load(std::memory_order_relaxed); }

    // Which benchmark thread held it last (W5 counts hand-offs with it).
    int owner = -1;

private:
    NoopBackend* backend_;
    bool connected_ = false;
};

}  // namespace bench
