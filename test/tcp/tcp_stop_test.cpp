// A TCP backend whose handshake never completes (a black hole) must not hold
// up a pool's stop(): connect() gives up when the pool asks it to stop and
// when the pool's deadline passes, long before a generous connect_timeout.
#include "support/eventually.hpp"
#include "syn_sink.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <future>
#include <stop_token>

namespace cueball {
namespace {

using test::eventually;
using test::kLiveness;
using test::SynSink;
using namespace std::chrono_literals;

// Far beyond the liveness bound: a connect that waits for it fails the test.
constexpr std::chrono::milliseconds kLongTimeout = 45s;

TEST(TcpStop, ConnectGivesUpWhenThePoolStops) {
    SynSink sink;
    TcpConnection conn(Backend{"127.0.0.1", sink.port(), {}}, TcpOptions{.connect_timeout = kLongTimeout});
    std::stop_source stopping;
    detail::ConnectionAccess::set_stop_token(conn, stopping.get_token());
    // Started here; the future's destructor joins it.
    auto connecting = std::async(std::launch::async, [&] { conn.connect(); });
    EXPECT_EQ(connecting.wait_for(200ms), std::future_status::timeout) << "the black hole answered";
    stopping.request_stop();
    ASSERT_EQ(connecting.wait_for(kLiveness), std::future_status::ready);
    try {
        connecting.get();
        FAIL() << "connect() succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("stopping"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(conn.socket().is_open());
}

TEST(TcpStop, ConnectGivesUpAtThePoolsDeadline) {
    SynSink sink;
    TcpConnection conn(Backend{"127.0.0.1", sink.port(), {}}, TcpOptions{.connect_timeout = kLongTimeout});
    detail::ConnectionAccess::set_deadline(conn, std::chrono::steady_clock::now() + 300ms);
    // Started here; the future's destructor joins it.
    auto connecting = std::async(std::launch::async, [&] { conn.connect(); });
    ASSERT_EQ(connecting.wait_for(kLiveness), std::future_status::ready);
    EXPECT_THROW(connecting.get(), Error);
}

TEST(TcpStop, ConnectAfterStopWasRequestedDoesNotStart) {
    SynSink sink;
    TcpConnection conn(Backend{"127.0.0.1", sink.port(), {}}, TcpOptions{.connect_timeout = kLongTimeout});
    std::stop_source stopping;
    stopping.request_stop();
    detail::ConnectionAccess::set_stop_token(conn, stopping.get_token());
    // Started here; the future's destructor joins it.
    auto connecting = std::async(std::launch::async, [&] { conn.connect(); });
    ASSERT_EQ(connecting.wait_for(kLiveness), std::future_status::ready);
    EXPECT_THROW(connecting.get(), Error);
}

TEST(TcpStop, PoolStopsWhileAConnectWaitsForABlackHole) {
    SynSink sink;
    PoolOptions options;
    options.name = "tcp-stop";
    options.max_connections = 2;
    options.connect_timeout = kLongTimeout;
    auto pool = std::make_unique<ConnectionPool<TcpConnection>>(
        options, std::make_shared<StaticResolver>(std::vector<Backend>{{"127.0.0.1", sink.port(), {}}}),
        [](const Backend& backend) {
            return std::make_unique<TcpConnection>(backend, TcpOptions{.connect_timeout = kLongTimeout});
        });
    ASSERT_TRUE(eventually([&] { return pool->stats().pending_connections > 0; }));
    // Started here; the future's destructor joins it.
    auto stopping = std::async(std::launch::async, [&] { pool.reset(); });
    EXPECT_EQ(stopping.wait_for(kLiveness), std::future_status::ready);
}

}  // namespace
}  // namespace cueball
