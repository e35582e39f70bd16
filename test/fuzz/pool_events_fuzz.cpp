// libFuzzer target for the pool's event handling: the input is decoded into a
// short run of operations (backends added and removed, connects switched to
// failing, claims, releases, discards, short waits) against a pool of fake
// connections that do no I/O. After every operation the pool's counts must
// agree with each other and with the claims held, claims must stay within
// max_connections plus what removed backends drain, and no connection may be
// lent twice; stop() with claims outstanding, then the pool's destruction,
// must leave every connection closed exactly once.
//
// Input: byte 0 sizes the pool (max_connections 1..4), byte 1 picks the
// rebalance delay (0/1 ms), workers (1/2) and dead_after_failures (0/2); then
// (operation, argument) byte pairs, at most kMaxOps of them.
#include "support/fake_connection.hpp"

#include <cueball/cueball.hpp>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace cueball;
using namespace std::chrono_literals;
using test::FakeBehaviour;
using test::FakeConnection;
using test::FakeWorld;

constexpr int kBackends = 4;
constexpr std::size_t kMaxOps = 48;

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "pool_events_fuzz: %s\n", what);
    __builtin_trap();
}

std::shared_ptr<spdlog::logger> silent() {
    static const auto logger =
        std::make_shared<spdlog::logger>("pool_events_fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    return logger;
}

struct Held {
    PoolHandle<FakeConnection> handle;
    int backend = 0;
    // Claimed on a backend that was removed meanwhile (every claim on a
    // draining backend is one): may count above max_connections until it is
    // released, also if the backend is added back, which then keeps it.
    bool surplus = false;
};

class Run {
public:
    Run(std::uint8_t size, std::uint8_t shape) : max_(1 + size % 4) {
        PoolOptions o;
        o.name = "fuzz";
        o.max_connections = max_;
        o.rebalance_delay = std::chrono::milliseconds(shape % 2);
        o.connector_threads = 1 + (shape >> 1) % 2;
        o.dead_after_failures = ((shape >> 2) % 2) * 2;
        o.backoff_initial = 1ms;
        o.backoff_max = 5ms;
        o.health_check_interval = 0ms;
        o.decoherence_interval = 0ms;
        o.logger = silent();
        for (int i = 0; i < kBackends; ++i) {
            backends_.push_back(Backend{"127.0.0.1", static_cast<std::uint16_t>(30001 + i), {}});
        }
        resolver_ = std::make_shared<StaticResolver>(std::vector<Backend>{}, silent());
        pool_ = std::make_unique<ConnectionPool<FakeConnection>>(o, resolver_, world_->factory());
    }

    void apply(std::uint8_t op, std::uint8_t arg) {
        const int i = arg % kBackends;
        switch (op % 8) {
            case 0:
                if (in_resolver_.insert(i).second) resolver_->add(backends_[static_cast<std::size_t>(i)]);
                break;
            case 1:
                if (in_resolver_.erase(i) != 0) {
                    resolver_->remove(backends_[static_cast<std::size_t>(i)]);
                    for (Held& h : held_) h.surplus = h.surplus || h.backend == i;
                }
                break;
            case 2:
                if (auto h = pool_->try_claim()) hold(std::move(*h));
                break;
            case 3:
            case 4:
                if (!held_.empty()) {
                    const std::size_t j = arg % held_.size();
                    held_[j].handle->end_use();
                    if (op % 8 == 3) {
                        held_[j].handle.release();
                    } else {
                        held_[j].handle.discard();
                    }
                    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(j));
                }
                break;
            case 5: {
                FakeBehaviour b = world_->behaviour(backend_key(backends_[static_cast<std::size_t>(i)]));
                b.fail_connect = !b.fail_connect;
                world_->set(backend_key(backends_[static_cast<std::size_t>(i)]), b);
                break;
            }
            case 6:
                std::this_thread::sleep_for(std::chrono::milliseconds(arg % 4));
                break;
            default:
                try {
                    hold(pool_->claim(std::chrono::milliseconds(arg % 3)));
                } catch (const ClaimTimeout&) {
                } catch (const NoBackendsAvailable&) {
                }
                break;
        }
        check();
    }

    // stop() with claims outstanding, then give them back and destroy the
    // pool: every connection must end up closed exactly once.
    void finish() {
        pool_->stop();
        if (pool_->stats().state != PoolState::Stopped) broken("stop() returned before the pool stopped");
        for (Held& h : held_) h.handle->end_use();
        held_.clear();
        pool_.reset();
        const test::FakeCounts t = world_->totals();
        if (t.connects != t.closes) broken("connections opened but not closed exactly once");
        if (world_->leaked() != 0) broken("connections destroyed without close()");
    }

private:
    void hold(PoolHandle<FakeConnection> handle) {
        handle->begin_use();
        int backend = 0;
        for (int i = 0; i < kBackends; ++i) {
            if (backends_[static_cast<std::size_t>(i)] == handle.backend()) backend = i;
        }
        const bool surplus = in_resolver_.count(backend) == 0;
        held_.push_back(Held{std::move(handle), backend, surplus});
    }

    void check() const {
        const PoolStats s = pool_->stats();
        std::size_t idle = 0, claimed = 0, connecting = 0, surplus = 0;
        for (const BackendStats& b : s.backends) {
            idle += b.idle;
            claimed += b.claimed;
            connecting += b.connecting;
        }
        for (const Held& h : held_) surplus += h.surplus ? 1 : 0;
        if (s.idle_connections + s.claimed_connections != s.total_connections) broken("idle + claimed != total");
        if (idle != s.idle_connections || claimed != s.claimed_connections || connecting != s.pending_connections) {
            broken("per-backend counts do not add up to the pool's");
        }
        if (s.claimed_connections != held_.size()) broken("claimed count differs from the claims held");
        if (s.claimed_connections > max_ + surplus) {
            broken("more claimed than max_connections plus draining");
        }
        if (world_->double_claims() != 0) broken("a connection was lent to two claimers");
    }

    const std::size_t max_;
    std::shared_ptr<FakeWorld> world_ = std::make_shared<FakeWorld>();
    std::vector<Backend> backends_;
    std::set<int> in_resolver_;
    std::shared_ptr<StaticResolver> resolver_;
    std::unique_ptr<ConnectionPool<FakeConnection>> pool_;
    std::vector<Held> held_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Run run(data[0], data[1]);
    for (std::size_t at = 2, ops = 0; at + 1 < size && ops < kMaxOps; at += 2, ++ops) run.apply(data[at], data[at + 1]);
    run.finish();
    return 0;
}
