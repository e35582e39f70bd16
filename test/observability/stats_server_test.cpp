// StatsServer over a real loopback socket: what /stats and /metrics serve,
// the errors it answers, and that bad or slow clients hurt nobody else.
#include "http_client.hpp"

#include "support/eventually.hpp"
#include "support/fake_connection.hpp"
#include "support/fast_options.hpp"

#include <cueball/stats_server.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <regex>
#include <sstream>
#include <thread>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;
using Pool = ConnectionPool<FakeConnection>;
using nlohmann::json;

class StatsServerTest : public ::testing::Test {
protected:
    std::shared_ptr<FakeWorld> world = std::make_shared<FakeWorld>();

    // A pool over `n` loopback backends with every connection open and idle.
    std::unique_ptr<Pool> settled_pool(const std::string& name, int n, std::size_t max_connections,
                                       std::uint16_t first_port = 10001) {
        auto pool = std::make_unique<Pool>(fast_options(max_connections, name),
                                           std::make_shared<StaticResolver>(loopback_backends(n, first_port)),
                                           world->factory());
        EXPECT_TRUE(eventually([&] { return pool->stats().idle_connections == max_connections; }));
        return pool;
    }

    static void claim_and_release(Pool& pool, int times) {
        for (int i = 0; i < times; ++i) pool.claim(kLiveness).release();
    }
};

// name{labels} value, or a HELP/TYPE comment.
bool valid_exposition_line(const std::string& line) {
    static const std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
    static const std::regex sample(
        R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.]+(e[-+]?[0-9]+)?|NaN|[-+]Inf))");
    return std::regex_match(line, comment) || std::regex_match(line, sample);
}

// The value of the sample whose name and labels are exactly `series`.
std::optional<double> sample_value(const std::string& exposition, const std::string& series) {
    std::istringstream in(exposition);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

TEST_F(StatsServerTest, StatsServesThePoolAsJson) {
    auto pool = settled_pool("orders", 2, 4);
    claim_and_release(*pool, 3);
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 4; }));
    StatsServer server({});
    server.add(*pool);

    const HttpReply reply = http_request(server.port(), "GET", "/stats");
    const PoolStats expected = pool->stats();
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.headers.at("content-type"), "application/json");
    const json all = json::parse(reply.body);
    ASSERT_TRUE(all.is_array());
    ASSERT_EQ(all.size(), 1u);
    const json& p = all[0];
    EXPECT_EQ(p.at("name"), "orders");
    EXPECT_EQ(p.at("max_connections"), expected.max_connections);
    EXPECT_EQ(p.at("total_connections"), expected.total_connections);
    EXPECT_EQ(p.at("idle_connections"), expected.idle_connections);
    EXPECT_EQ(p.at("claimed_connections"), 0u);
    EXPECT_EQ(p.at("counters").at("claims"), 3u);
    EXPECT_EQ(p.at("counters").at("claims"), expected.counters.claims);
    EXPECT_EQ(p.at("claim_wait").at("count"), expected.claim_wait.count());
    ASSERT_EQ(p.at("backends").size(), expected.backends.size());
    for (std::size_t i = 0; i < expected.backends.size(); ++i) {
        const json& b = p.at("backends")[i];
        EXPECT_EQ(b.at("key"), expected.backends[i].key);
        EXPECT_EQ(b.at("state"), to_string(expected.backends[i].state));
        EXPECT_EQ(b.at("idle"), expected.backends[i].idle);
        EXPECT_EQ(b.at("counters").at("claims"), expected.backends[i].counters.claims);
    }
}

TEST_F(StatsServerTest, MetricsIsValidExpositionWithTheClaimsMade) {
    auto pool = settled_pool("orders", 2, 2);
    claim_and_release(*pool, 5);
    StatsServer server({});
    server.add(*pool);

    const HttpReply reply = http_request(server.port(), "GET", "/metrics");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.headers.at("content-type"), "text/plain; version=0.0.4");
    ASSERT_FALSE(reply.body.empty());
    EXPECT_EQ(reply.body.back(), '\n');
    std::istringstream in(reply.body);
    for (std::string line; std::getline(in, line);) EXPECT_TRUE(valid_exposition_line(line)) << line;
    EXPECT_EQ(sample_value(reply.body, R"(cueball_pool_claims_total{pool="orders"})"), 5.0);
    EXPECT_EQ(sample_value(reply.body, R"(cueball_pool_max_connections{pool="orders"})"), 2.0);
}

TEST_F(StatsServerTest, ServesEveryRegisteredPoolUnderItsRegisteredName) {
    auto a = settled_pool("a", 1, 1, 10001);
    auto b = settled_pool("b", 2, 2, 10011);
    claim_and_release(*b, 2);
    StatsServer server({});
    server.add(*b);
    server.add(*a);
    server.add("renamed", [&a] { return a->stats(); });

    const json all = json::parse(http_request(server.port(), "GET", "/stats").body);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].at("name"), "a");
    EXPECT_EQ(all[1].at("name"), "b");
    EXPECT_EQ(all[2].at("name"), "renamed");
    EXPECT_EQ(all[1].at("backends").size(), 2u);

    const std::string metrics = http_request(server.port(), "GET", "/metrics").body;
    EXPECT_EQ(sample_value(metrics, R"(cueball_pool_claims_total{pool="a"})"), 0.0);
    EXPECT_EQ(sample_value(metrics, R"(cueball_pool_claims_total{pool="b"})"), 2.0);
    EXPECT_EQ(sample_value(metrics, R"(cueball_pool_claims_total{pool="renamed"})"), 0.0);

    server.remove("renamed");
    server.remove("never registered");
    EXPECT_EQ(json::parse(http_request(server.port(), "GET", "/stats").body).size(), 2u);
}

TEST_F(StatsServerTest, NoPoolsIsAnEmptyList) {
    StatsServer server({});
    const HttpReply reply = http_request(server.port(), "GET", "/stats");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(json::parse(reply.body), json::array());
}

TEST_F(StatsServerTest, UnknownPathsAndMethodsAreRefused) {
    StatsServer server({});
    EXPECT_EQ(http_request(server.port(), "GET", "/").status, 404);
    EXPECT_EQ(http_request(server.port(), "GET", "/stats/more").status, 404);
    const HttpReply post = http_request(server.port(), "POST", "/stats");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.headers.at("allow"), "GET, HEAD");
    EXPECT_EQ(http_request(server.port(), "DELETE", "/metrics").status, 405);
    EXPECT_EQ(http_request(server.port(), "GET", "/stats?pool=x").status, 200);
}

TEST_F(StatsServerTest, HeadHasTheHeadersOnly) {
    auto pool = settled_pool("p", 1, 1);
    StatsServer server({});
    server.add(*pool);
    const HttpReply head = http_request(server.port(), "HEAD", "/metrics");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.headers.at("content-type"), "text/plain; version=0.0.4");
    EXPECT_NE(head.headers.at("content-length"), "0");
    EXPECT_TRUE(head.body.empty());
}

TEST_F(StatsServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    StatsServer server({});
    HttpClient client(server.port());
    const std::string get = "GET /stats HTTP/1.1\r\nHost: x\r\n\r\n";
    client.send(get);
    EXPECT_EQ(client.read_reply().status, 200);
    client.send(get + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + get);  // pipelined
    EXPECT_EQ(client.read_reply().status, 200);
    EXPECT_EQ(client.read_reply().status, 404);
    EXPECT_EQ(client.read_reply().status, 200);
}

TEST_F(StatsServerTest, MalformedRequestGets400AndTheServerServesOn) {
    StatsServer server({});
    for (const std::string& garbage : {std::string("GARBAGE\r\n\r\n"), std::string("GET /stats HTTP/1.1\r\nno colon\r\n\r\n"),
                                      std::string("GET /stats XTTP/1.1\r\n\r\n"), std::string("\0\1\2\3\r\n\r\n", 8)}) {
        HttpClient client(server.port());
        client.send(garbage);
        const HttpReply reply = client.read_reply();
        EXPECT_EQ(reply.status, 400) << garbage;
        EXPECT_FALSE(reply.keep_alive);
        EXPECT_TRUE(client.closed_by_peer());
    }
    EXPECT_EQ(http_request(server.port(), "GET", "/stats").status, 200);
}

TEST_F(StatsServerTest, OversizedHeadersAndBodiesAreRefused) {
    StatsServer server({});
    {
        HttpClient client(server.port());
        client.send("GET /stats HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
        EXPECT_EQ(client.read_reply().status, 431);
        EXPECT_TRUE(client.closed_by_peer());
    }
    {
        HttpClient client(server.port());
        client.send("GET /stats HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'b'));
        EXPECT_EQ(client.read_reply().status, 413);
        EXPECT_TRUE(client.closed_by_peer());
    }
    EXPECT_EQ(http_request(server.port(), "GET", "/stats").status, 200);
}

TEST_F(StatsServerTest, SlowClientIsDroppedAndDelaysNobody) {
    StatsServerOptions o;
    o.request_timeout = 1000ms;
    StatsServer server(o);
    HttpClient slow(server.port());
    slow.send("GET /stats HTTP/1.1\r\nHost: x\r\n");  // and never the end of it
    HttpClient silent(server.port());
    EXPECT_EQ(http_request(server.port(), "GET", "/stats").status, 200);
    EXPECT_TRUE(slow.closed_by_peer());
    EXPECT_TRUE(silent.closed_by_peer());
}

TEST_F(StatsServerTest, ClientsBeyondTheLimitAreClosed) {
    StatsServerOptions o;
    o.max_clients = 2;
    StatsServer server(o);
    // Both in the middle of a request: nobody idle to make room.
    auto first = std::make_unique<HttpClient>(server.port());
    first->send("GET /sta");
    HttpClient second(server.port());
    second.send("GET /sta");
    HttpClient third(server.port());
    EXPECT_TRUE(third.closed_by_peer());
    first.reset();
    EXPECT_TRUE(eventually([&] {
        try {
            return http_request(server.port(), "GET", "/stats").status == 200;
        } catch (const std::runtime_error&) {
            return false;
        }
    }));
}

TEST_F(StatsServerTest, IdleKeepAliveClientsDoNotStarveANewScraper) {
    StatsServerOptions o;
    o.max_clients = 2;
    o.request_timeout = std::chrono::milliseconds(60'000);
    StatsServer server(o);
    const std::string keep_alive = "GET /stats HTTP/1.1\r\nHost: x\r\n\r\n";
    HttpClient first(server.port());
    first.send(keep_alive);
    ASSERT_EQ(first.read_reply().status, 200);
    HttpClient second(server.port());
    second.send(keep_alive);
    ASSERT_EQ(second.read_reply().status, 200);
    // Both idle between requests: a scraper still gets its answer, and the
    // one idle longest made room.
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 200);
    EXPECT_TRUE(first.closed_by_peer());
    second.send(keep_alive);
    EXPECT_EQ(second.read_reply().status, 200);
}

TEST_F(StatsServerTest, ThrowingSourceGets500AndOthersAreUnaffected) {
    StatsServer server({});
    server.add("broken", []() -> PoolStats { throw std::runtime_error("no stats today"); });
    const HttpReply reply = http_request(server.port(), "GET", "/stats");
    EXPECT_EQ(reply.status, 500);
    EXPECT_NE(reply.body.find("no stats today"), std::string::npos);
    EXPECT_NE(reply.body.find("broken"), std::string::npos);
    server.remove("broken");
    EXPECT_EQ(http_request(server.port(), "GET", "/stats").status, 200);
}

TEST_F(StatsServerTest, RemovedSourceIsNeverCalledAgain) {
    StatsServer server({});
    std::atomic<int> calls{0};
    server.add("counted", [&calls] {
        ++calls;
        return PoolStats{};
    });
    EXPECT_EQ(http_request(server.port(), "GET", "/stats").status, 200);
    EXPECT_EQ(calls.load(), 1);
    server.remove("counted");
    EXPECT_EQ(http_request(server.port(), "GET", "/metrics").status, 200);
    EXPECT_EQ(calls.load(), 1);
}

TEST_F(StatsServerTest, BadRegistrationsAreRejected) {
    StatsServer server({});
    server.add("x", [] { return PoolStats{}; });
    EXPECT_THROW(server.add("x", [] { return PoolStats{}; }), InvalidArgument);
    EXPECT_THROW(server.add("", [] { return PoolStats{}; }), InvalidArgument);
    EXPECT_THROW(server.add("y", StatsServer::Source{}), InvalidArgument);
}

TEST_F(StatsServerTest, BadOptionsAreRejected) {
    StatsServerOptions o;
    o.address = "localhost";
    EXPECT_THROW(StatsServer{o}, InvalidArgument);
    o.address = "127.0.0.1";
    o.request_timeout = 0ms;
    EXPECT_THROW(StatsServer{o}, InvalidArgument);
    o.request_timeout = 1000ms;
    o.max_clients = 0;
    EXPECT_THROW(StatsServer{o}, InvalidArgument);
}

TEST_F(StatsServerTest, BindFailureNamesAddressPortAndReason) {
    StatsServer first({});
    StatsServerOptions o;
    o.port = first.port();
    try {
        StatsServer second(o);
        FAIL() << "a second server bound the same port";
    } catch (const InvalidArgument&) {
        FAIL() << "a bind failure is not an invalid argument";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("127.0.0.1:" + std::to_string(first.port())), std::string::npos) << what;
        EXPECT_NE(what.find("in use"), std::string::npos) << what;
    }
}

TEST_F(StatsServerTest, ListensOnIpv6Loopback) {
    StatsServerOptions o;
    o.address = "::1";
    std::unique_ptr<StatsServer> server;
    try {
        server = std::make_unique<StatsServer>(o);
    } catch (const Error& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    EXPECT_NE(server->port(), 0);
}

TEST_F(StatsServerTest, StopIsIdempotentClosesClientsAndRefusesNewOnes) {
    auto server = std::make_unique<StatsServer>(StatsServerOptions{});
    const std::uint16_t port = server->port();
    HttpClient idle(port);
    HttpClient halfway(port);
    halfway.send("GET /stats HTTP/1.1\r\n");
    std::thread other([&] { server->stop(); });
    server->stop();
    other.join();
    server->stop();
    EXPECT_TRUE(idle.closed_by_peer());
    EXPECT_TRUE(halfway.closed_by_peer());
    EXPECT_THROW(HttpClient{port}, std::runtime_error);
    server.reset();
}

TEST_F(StatsServerTest, DestructorWithClientsConnectedReturns) {
    auto pool = settled_pool("p", 1, 1);
    auto server = std::make_unique<StatsServer>(StatsServerOptions{});
    server->add(*pool);
    HttpClient client(server->port());
    client.send("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.read_reply().status, 200);
    server.reset();
    EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(StatsServerTest, ConcurrentClientsAndRegistrations) {
    auto pool = settled_pool("p", 2, 2);
    StatsServer server({});
    server.add(*pool);
    std::atomic<bool> done{false};
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t) {
        clients.emplace_back([&, t] {
            while (!done) {
                try {
                    if (http_request(server.port(), "GET", t % 2 ? "/metrics" : "/stats").status == 200) {
                        ++ok;
                    } else {
                        ++failed;
                    }
                } catch (const std::runtime_error&) {
                    ++failed;
                }
            }
        });
    }
    for (int i = 0; i < 50; ++i) {
        server.add("extra", [&pool] { return pool->stats(); });
        claim_and_release(*pool, 1);
        server.remove("extra");
    }
    EXPECT_TRUE(eventually([&] { return ok.load() >= 10; }));
    done = true;
    for (auto& c : clients) c.join();
    EXPECT_EQ(failed.load(), 0);
}

}  // namespace
}  // namespace cueball::test
