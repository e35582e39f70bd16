// A PostgreSQL server that accepts the TCP connection but never answers the
// startup message must not hold up a pool's stop(): connect() gives up when
// the pool asks it to stop and when the pool's deadline passes, long before
// a generous connect_timeout.
#include "pg_support.hpp"
#include "silent_listener.hpp"

#include <cueball/cueball.hpp>

#include <future>
#include <stop_token>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;

// Far beyond the liveness bound: a connect that waits for it fails the test.
constexpr std::chrono::milliseconds kLongTimeout = 45s;

PostgresOptions patient() {
    PostgresOptions options;
    options.user = "nobody";
    options.connect_timeout = kLongTimeout;
    return options;
}

TEST(PostgresStop, ConnectGivesUpWhenThePoolStops) {
    SilentListener silent;
    PostgresConnection conn(Backend{"127.0.0.1", silent.port(), {}}, patient());
    std::stop_source stopping;
    detail::ConnectionAccess::set_stop_token(conn, stopping.get_token());
    // Started here; the future's destructor joins it.
    auto connecting = std::async(std::launch::async, [&] { conn.connect(); });
    EXPECT_EQ(connecting.wait_for(200ms), std::future_status::timeout) << "the silent server was answered";
    stopping.request_stop();
    ASSERT_EQ(connecting.wait_for(kLiveness), std::future_status::ready);
    try {
        connecting.get();
        FAIL() << "connect() succeeded";
    } catch (const PostgresError& e) {
        EXPECT_NE(std::string(e.what()).find("stopping"), std::string::npos) << e.what();
    }
}

TEST(PostgresStop, ConnectGivesUpAtThePoolsDeadline) {
    SilentListener silent;
    PostgresConnection conn(Backend{"127.0.0.1", silent.port(), {}}, patient());
    detail::ConnectionAccess::set_deadline(conn, std::chrono::steady_clock::now() + 300ms);
    // Started here; the future's destructor joins it.
    auto connecting = std::async(std::launch::async, [&] { conn.connect(); });
    ASSERT_EQ(connecting.wait_for(kLiveness), std::future_status::ready);
    EXPECT_THROW(connecting.get(), PostgresError);
}

TEST(PostgresStop, PoolStopsWhileAConnectWaitsForASilentServer) {
    SilentListener silent;
    PoolOptions options;
    options.name = "pg-stop";
    options.max_connections = 2;
    options.connect_timeout = kLongTimeout;
    const PostgresOptions pg = patient();
    auto pool = std::make_unique<ConnectionPool<PostgresConnection>>(
        options, std::make_shared<StaticResolver>(std::vector<Backend>{{"127.0.0.1", silent.port(), {}}}),
        [pg](const Backend& backend) { return std::make_unique<PostgresConnection>(backend, pg); });
    ASSERT_TRUE(eventually([&] { return pool->stats().pending_connections > 0; }));
    // Started here; the future's destructor joins it.
    auto stopping = std::async(std::launch::async, [&] { pool.reset(); });
    EXPECT_EQ(stopping.wait_for(kLiveness), std::future_status::ready);
}

}  // namespace
}  // namespace cueball::test
