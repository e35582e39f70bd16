// A ConnectionPool of TcpConnections over three EchoServers on loopback: the
// pool spreads over all of them, replaces the connections of a server that
// dies, never hands out a dead one once it has noticed, and gives a restarted
// server its share back.
#include "support/eventually.hpp"
#include "testing/echo_client.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

namespace cueball {
namespace {

using test::eventually;
using testing::EchoServer;
using testing::echo_round_trip;

constexpr std::size_t kServers = 3;
constexpr std::size_t kPerServer = 2;

class TcpPool : public ::testing::Test {
protected:
    TcpPool() {
        std::vector<Backend> backends;
        for (std::size_t i = 0; i < kServers; ++i) {
            servers_.push_back(std::make_unique<EchoServer>());
            backends.push_back(Backend{"127.0.0.1", servers_.back()->port(), {}});
            keys_.push_back(backend_key(backends.back()));
        }
        PoolOptions options;
        options.name = "tcp-test";
        options.max_connections = kServers * kPerServer;
        options.claim_timeout = std::chrono::seconds(10);
        options.rebalance_delay = std::chrono::milliseconds(10);
        options.health_check_interval = std::chrono::milliseconds(100);
        options.backoff_initial = std::chrono::milliseconds(20);
        options.backoff_max = std::chrono::milliseconds(200);
        pool_ = std::make_unique<ConnectionPool<TcpConnection>>(
            options, std::make_shared<StaticResolver>(backends), [](const Backend& b) {
                return std::make_unique<TcpConnection>(b, TcpOptions{.connect_timeout = std::chrono::seconds(2)});
            });
    }

    // Idle connections by backend key (every key present).
    std::map<BackendKey, std::size_t> idle() const {
        std::map<BackendKey, std::size_t> out;
        for (const BackendKey& key : keys_) out[key] = 0;
        for (const BackendStats& b : pool_->stats().backends) out[b.key] = b.idle;
        return out;
    }

    bool evenly_idle() const {
        for (const auto& [key, n] : idle()) {
            if (n != kPerServer) return false;
        }
        return true;
    }

    // Connections the echo servers have accepted and not yet seen closed.
    std::size_t server_connections() const {
        std::size_t open = 0;
        for (const auto& s : servers_) open += s->connections();
        return open;
    }

    // Claims every connection at once, checks each echoes, and returns the
    // backends they went to.
    std::set<BackendKey> claim_all_and_echo() {
        std::vector<PoolHandle<TcpConnection>> handles;
        std::set<BackendKey> seen;
        for (std::size_t i = 0; i < kServers * kPerServer; ++i) {
            handles.push_back(pool_->claim());
            EXPECT_EQ(echo_round_trip(*handles.back(), "ping " + std::to_string(i)), "ping " + std::to_string(i));
            seen.insert(backend_key(handles.back().backend()));
        }
        return seen;
    }

    std::vector<std::unique_ptr<EchoServer>> servers_;
    std::vector<BackendKey> keys_;
    std::unique_ptr<ConnectionPool<TcpConnection>> pool_;
};

TEST_F(TcpPool, EveryBackendEchoes) {
    ASSERT_TRUE(eventually([&] { return evenly_idle(); }));
    EXPECT_EQ(claim_all_and_echo(), std::set<BackendKey>(keys_.begin(), keys_.end()));
}

TEST_F(TcpPool, KilledServerIsReplacedAndGetsItsShareBackOnRestart) {
    ASSERT_TRUE(eventually([&] { return evenly_idle(); }));
    const BackendKey dead = keys_[0];

    servers_[0]->stop();
    // The health checks find its connections closed by the peer; the other
    // two backends take over its share.
    ASSERT_TRUE(eventually([&] {
        const auto now = idle();
        return now.at(dead) == 0 && now.at(keys_[1]) + now.at(keys_[2]) == kServers * kPerServer;
    }));
    for (int i = 0; i < 200; ++i) {
        PoolHandle<TcpConnection> handle = pool_->claim();
        ASSERT_NE(backend_key(handle.backend()), dead);
        ASSERT_EQ(echo_round_trip(*handle, "after the kill"), "after the kill");
    }

    servers_[0]->start();
    ASSERT_TRUE(eventually([&] { return evenly_idle(); }));
    EXPECT_EQ(claim_all_and_echo(), std::set<BackendKey>(keys_.begin(), keys_.end()));
}

TEST_F(TcpPool, StoppedPoolClosesItsConnections) {
    ASSERT_TRUE(eventually([&] { return evenly_idle(); }));
    // A client's connect completes before the server thread gets round to
    // accepting, hence eventually.
    EXPECT_TRUE(eventually([&] { return server_connections() == kServers * kPerServer; }));
    pool_->stop();
    EXPECT_TRUE(eventually([&] { return server_connections() == 0; }));
}

}  // namespace
}  // namespace cueball
