// The production features against real sockets: a killed echo server becomes
// dead after dead_after_failures refused connects and comes back when it is
// restarted; with every server killed the pool fails claims at once, and
// recovers with the first server that returns.
#include "support/eventually.hpp"
#include "testing/echo_client.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace cueball {
namespace {

using test::eventually;
using testing::EchoServer;
using testing::echo_round_trip;
using namespace std::chrono_literals;

class TcpDeadBackend : public ::testing::Test {
protected:
    TcpDeadBackend() {
        std::vector<Backend> backends;
        for (int i = 0; i < 2; ++i) {
            servers_.push_back(std::make_unique<EchoServer>());
            backends.push_back(Backend{"127.0.0.1", servers_.back()->port(), {}});
            keys_.push_back(backend_key(backends.back()));
        }
        PoolOptions options;
        options.name = "tcp-dead";
        options.max_connections = 4;
        options.rebalance_delay = 10ms;
        options.health_check_interval = 50ms;
        options.backoff_initial = 10ms;
        options.backoff_max = 100ms;
        options.dead_after_failures = 2;
        pool_ = std::make_unique<ConnectionPool<TcpConnection>>(
            options, std::make_shared<StaticResolver>(backends), [](const Backend& b) {
                return std::make_unique<TcpConnection>(b, TcpOptions{.connect_timeout = 2s});
            });
    }

    BackendState state_of(std::size_t i) const {
        for (const BackendStats& b : pool_->stats().backends) {
            if (b.key == keys_[i]) return b.state;
        }
        return BackendState::Connecting;
    }

    std::vector<std::unique_ptr<EchoServer>> servers_;
    std::vector<BackendKey> keys_;
    std::unique_ptr<ConnectionPool<TcpConnection>> pool_;
};

TEST_F(TcpDeadBackend, KilledServerBecomesDeadAndRecovers) {
    ASSERT_TRUE(eventually([&] { return pool_->stats().idle_connections == 4; }));
    servers_[0]->stop();
    ASSERT_TRUE(eventually([&] { return state_of(0) == BackendState::Dead; }));
    EXPECT_EQ(pool_->stats().state, PoolState::Running);
    // Its share is served by the live server; every claim echoes.
    for (int i = 0; i < 20; ++i) {
        auto conn = pool_->claim(10s);
        EXPECT_EQ(backend_key(conn.backend()), keys_[1]);
        EXPECT_EQ(echo_round_trip(*conn, "ping\n", 5s), "ping\n");
    }
    servers_[0]->start();
    ASSERT_TRUE(eventually([&] {
        const PoolStats s = pool_->stats();
        return state_of(0) == BackendState::Online && s.backends.size() == 2 && s.backends[0].idle == 2 &&
               s.backends[1].idle == 2;
    }));
}

TEST_F(TcpDeadBackend, AllServersDeadFailsClaimsAtOnceThenRecovers) {
    ASSERT_TRUE(eventually([&] { return pool_->stats().idle_connections == 4; }));
    servers_[0]->stop();
    servers_[1]->stop();
    ASSERT_TRUE(eventually([&] { return pool_->stats().state == PoolState::Failed; }));
    try {
        pool_->claim(30s);
        FAIL() << "claim succeeded with every server down";
    } catch (const NoBackendsAvailable& e) {
        EXPECT_NE(std::string(e.what()).find("Connection refused"), std::string::npos) << e.what();
    }
    servers_[1]->start();
    ASSERT_TRUE(eventually([&] { return pool_->stats().state == PoolState::Running; }));
    auto conn = pool_->claim(10s);
    EXPECT_EQ(backend_key(conn.backend()), keys_[1]);
    EXPECT_EQ(echo_round_trip(*conn, "back\n", 5s), "back\n");
}

}  // namespace
}  // namespace cueball
