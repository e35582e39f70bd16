// TcpConnection on its own, against EchoServers on loopback.
#include "syn_sink.hpp"

#include "support/eventually.hpp"
#include "support/ports.hpp"
#include "testing/echo_client.hpp"
#include "testing/echo_server.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/errors.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <memory>
#include <sys/socket.h>

namespace cueball {
namespace {

using test::eventually;
using testing::EchoServer;
using testing::echo_round_trip;

// An EchoServer on ::1, or nothing where the machine has no IPv6 loopback.
std::unique_ptr<EchoServer> ipv6_server() {
    try {
        return std::make_unique<EchoServer>("::1");
    } catch (const std::runtime_error&) {
        return nullptr;
    }
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

int int_option(TcpConnection& c, int level, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    EXPECT_EQ(getsockopt(c.socket().native_handle(), level, name, &value, &len), 0);
    return value;
}

std::string connect_error(TcpConnection& c) {
    try {
        c.connect();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "connect() did not throw";
    return {};
}

TEST(TcpConnection, RoundTripOverIpv4) {
    EchoServer server("127.0.0.1");
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.connect();
    EXPECT_EQ(echo_round_trip(c, "hello over v4\n"), "hello over v4\n");
    c.close();
}

TEST(TcpConnection, RoundTripOverIpv6) {
    std::unique_ptr<EchoServer> server = ipv6_server();
    if (!server) GTEST_SKIP() << "no IPv6 loopback here";
    TcpConnection c(Backend{"::1", server->port(), {}});
    c.connect();
    EXPECT_EQ(echo_round_trip(c, "hello over v6\n"), "hello over v6\n");
}

TEST(TcpConnection, AcceptsBracketedIpv6Literal) {
    std::unique_ptr<EchoServer> server = ipv6_server();
    if (!server) GTEST_SKIP() << "no IPv6 loopback here";
    TcpConnection c(Backend{"[::1]", server->port(), {}});
    c.connect();
    EXPECT_EQ(echo_round_trip(c, "x"), "x");
}

// "localhost" comes from /etc/hosts: nothing leaves the machine.
TEST(TcpConnection, ResolvesHostName) {
    EchoServer server("127.0.0.1");
    TcpConnection c(Backend{"localhost", server.port(), {}});
    c.connect();
    EXPECT_EQ(echo_round_trip(c, "by name"), "by name");
}

TEST(TcpConnection, RefusedConnectNamesBackendAndError) {
    const std::uint16_t port = test::free_tcp_port();
    TcpConnection c(Backend{"127.0.0.1", port, {}});
    const std::string message = connect_error(c);
    EXPECT_TRUE(contains(message, "127.0.0.1:" + std::to_string(port)));
    EXPECT_TRUE(contains(message, "refused"));
    EXPECT_FALSE(c.socket().is_open());
    EXPECT_FALSE(c.is_valid());
}

TEST(TcpConnection, ConnectTimesOutWhenSynsAreDropped) {
    test::SynSink sink;
    TcpConnection c(Backend{"127.0.0.1", sink.port(), {}}, TcpOptions{.connect_timeout = std::chrono::milliseconds(200)});
    const std::string message = connect_error(c);
    EXPECT_TRUE(contains(message, "127.0.0.1:" + std::to_string(sink.port())));
    EXPECT_TRUE(contains(message, "timed out after"));
    EXPECT_FALSE(c.socket().is_open());
}

TEST(TcpConnection, IsValidUntilServerStops) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.connect();
    EXPECT_TRUE(c.is_valid());
    server.stop();
    EXPECT_TRUE(eventually([&] { return !c.is_valid(); }));
}

TEST(TcpConnection, IsValidWithUnreadDataAndLeavesItThere) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.connect();
    boost::asio::write(c.socket(), boost::asio::buffer(std::string("pending")));
    ASSERT_TRUE(eventually([&] { return c.socket().available() == 7; }));
    EXPECT_TRUE(c.is_valid());
    std::string reply(7, '\0');
    boost::asio::read(c.socket(), boost::asio::buffer(reply));
    EXPECT_EQ(reply, "pending");
}

TEST(TcpConnection, CloseIsIdempotentAndInvalidates) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.close();  // before connect: nothing to close
    c.connect();
    c.close();
    c.close();
    EXPECT_FALSE(c.is_valid());
    EXPECT_FALSE(c.socket().is_open());
}

TEST(TcpConnection, DefaultOptionsSetNodelayAndKeepalive) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.connect();
    EXPECT_NE(int_option(c, IPPROTO_TCP, TCP_NODELAY), 0);
    EXPECT_NE(int_option(c, SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(TcpConnection, OptionsCanTurnNodelayAndKeepaliveOff) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}}, TcpOptions{.keepalive = false, .nodelay = false});
    c.connect();
    EXPECT_EQ(int_option(c, IPPROTO_TCP, TCP_NODELAY), 0);
    EXPECT_EQ(int_option(c, SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(TcpConnection, RejectsBadArguments) {
    EXPECT_THROW(TcpConnection(Backend{"", 80, {}}), InvalidArgument);
    EXPECT_THROW(TcpConnection(Backend{"127.0.0.1", 0, {}}), InvalidArgument);
    EXPECT_THROW(TcpConnection(Backend{"127.0.0.1", 80, {}}, TcpOptions{.connect_timeout = std::chrono::milliseconds(0)}),
                 InvalidArgument);
    EXPECT_THROW(TcpConnection(Backend{"127.0.0.1", 80, {}}, TcpOptions{.connect_timeout = std::chrono::milliseconds(-1)}),
                 InvalidArgument);
}

TEST(TcpConnection, SecondConnectThrows) {
    EchoServer server;
    TcpConnection c(Backend{"127.0.0.1", server.port(), {}});
    c.connect();
    EXPECT_THROW(c.connect(), Error);
    EXPECT_EQ(echo_round_trip(c, "still fine"), "still fine");
}

}  // namespace
}  // namespace cueball
