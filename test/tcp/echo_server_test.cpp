// The EchoServer the other tcp tests, the examples and the benchmarks rely
// on: counts, a stop that kills connections, a restart on the same port.
#include "support/eventually.hpp"
#include "testing/echo_client.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/errors.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace cueball {
namespace {

using test::eventually;
using testing::EchoServer;
using testing::echo_round_trip;

std::unique_ptr<TcpConnection> connected(const EchoServer& server) {
    auto c = std::make_unique<TcpConnection>(Backend{server.host(), server.port(), {}});
    c->connect();
    return c;
}

TEST(EchoServer, CountsOpenAndAcceptedConnections) {
    EchoServer server;
    std::vector<std::unique_ptr<TcpConnection>> clients;
    for (int i = 0; i < 3; ++i) clients.push_back(connected(server));
    EXPECT_TRUE(eventually([&] { return server.connections() == 3; }));
    clients[0]->close();
    EXPECT_TRUE(eventually([&] { return server.connections() == 2; }));
    EXPECT_EQ(server.total_accepted(), 3u);
}

TEST(EchoServer, EchoesLargeMessages) {
    EchoServer server;
    auto c = connected(server);
    const std::string big(1 << 20, 'e');
    EXPECT_EQ(echo_round_trip(*c, big), big);
}

TEST(EchoServer, StopKillsConnectionsAndStartComesBackOnSamePort) {
    EchoServer server;
    const std::uint16_t port = server.port();
    auto before = connected(server);
    ASSERT_TRUE(eventually([&] { return server.connections() == 1; }));

    server.stop();
    EXPECT_FALSE(server.running());
    EXPECT_EQ(server.connections(), 0u);
    EXPECT_TRUE(eventually([&] { return !before->is_valid(); }));
    TcpConnection refused(Backend{"127.0.0.1", port, {}});
    EXPECT_THROW(refused.connect(), Error);

    server.start();
    EXPECT_EQ(server.port(), port);
    auto after = connected(server);
    EXPECT_EQ(echo_round_trip(*after, "back"), "back");
    EXPECT_EQ(server.total_accepted(), 2u);
    server.stop();
    server.stop();
}

TEST(EchoServer, PortInUseIsAClearError) {
    EchoServer first;
    try {
        EchoServer second("127.0.0.1", first.port());
        ADD_FAILURE() << "a second server listened on the same port";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(first.address()), std::string::npos) << e.what();
    }
}

TEST(EchoServer, RejectsHostThatIsNotAnAddress) {
    EXPECT_THROW(EchoServer("not an address"), std::runtime_error);
}

}  // namespace
}  // namespace cueball
