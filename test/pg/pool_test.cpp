// ConnectionPool<PostgresConnection> against real servers: load spread,
// what a claimer leaves behind, servers that stop and come back, and
// connect failures as callers and logs see them.
#include "pg_support.hpp"

#include <cueball/cueball.hpp>

#include <libpq-fe.h>

#include <atomic>
#include <map>
#include <thread>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;
using testing::PostgresServer;
// Open connections (idle + claimed) per backend key.
std::map<BackendKey, std::size_t> open_by_backend(const PgPool& pool) {
    std::map<BackendKey, std::size_t> out;
    for (const BackendStats& b : pool.stats().backends) out[b.key] = b.idle + b.claimed;
    return out;
}

TEST(PostgresPool, EightThreadsShareTwoServers) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer a, b;
    PgPool pool(quick(6), resolver_for({&a, &b}), factory(login(a)));
    const BackendKey ka = backend_key(a.backend()), kb = backend_key(b.backend());
    // Three connections each before the load starts, so neither can be starved.
    ASSERT_TRUE(eventually([&] {
        auto open = open_by_backend(pool);
        return open[ka] == 3 && open[kb] == 3;
    }));
    std::map<std::string, std::atomic<int>> by_port;
    by_port[std::to_string(a.port())];
    by_port[std::to_string(b.port())];
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;  // started here, joined below
    for (int t = 0; t < 8; ++t) {
        workers.emplace_back([&] {
            for (int i = 0; i < 40; ++i) {
                auto conn = pool.claim();
                try {
                    const std::string port = query_value(conn->native(), "SELECT inet_server_port()");
                    if (port != std::to_string(conn.backend().port)) ++failures;
                    by_port.at(port)++;
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread& w : workers) w.join();
    EXPECT_EQ(failures.load(), 0);
    const int on_a = by_port[std::to_string(a.port())].load();
    const int on_b = by_port[std::to_string(b.port())].load();
    EXPECT_EQ(on_a + on_b, 8 * 40);
    EXPECT_GT(on_a, 8 * 40 / 10);
    EXPECT_GT(on_b, 8 * 40 / 10);
    const auto open = open_by_backend(pool);
    EXPECT_EQ(open.at(ka), 3u);
    EXPECT_EQ(open.at(kb), 3u);
}

TEST(PostgresPool, NextClaimerNeverSeesAnOpenOrFailedTransaction) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    server.execute("CREATE TABLE t (x int)");
    PgPool pool(quick(1), resolver_for({&server}), factory(login(server)));
    int pid = 0;
    {
        auto a = pool.claim();
        pid = PQbackendPID(a->native());
        ASSERT_TRUE(run_ok(a->native(), "BEGIN"));
        ASSERT_TRUE(run_ok(a->native(), "INSERT INTO t VALUES (1)"));
    }
    {
        auto b = pool.claim();
        EXPECT_EQ(PQbackendPID(b->native()), pid) << "the rolled-back session is kept";
        EXPECT_EQ(PQtransactionStatus(b->native()), PQTRANS_IDLE);
        EXPECT_EQ(query_value(b->native(), "SELECT count(*) FROM t"), "0");
        ASSERT_TRUE(run_ok(b->native(), "BEGIN"));
        ASSERT_FALSE(run_ok(b->native(), "SELECT * FROM no_such_table"));
        EXPECT_EQ(PQtransactionStatus(b->native()), PQTRANS_INERROR);
    }
    auto c = pool.claim();
    EXPECT_EQ(PQtransactionStatus(c->native()), PQTRANS_IDLE);
    EXPECT_EQ(query_value(c->native(), "SELECT 1"), "1");
}

TEST(PostgresPool, AQueryLeftInFlightDiscardsTheConnection) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    PgPool pool(quick(1), resolver_for({&server}), factory(login(server)));
    int pid = 0;
    {
        auto a = pool.claim();
        pid = PQbackendPID(a->native());
        ASSERT_EQ(PQsendQuery(a->native(), "SELECT pg_sleep(0.1)"), 1);
    }
    auto b = pool.claim();
    EXPECT_NE(PQbackendPID(b->native()), pid) << "a busy session was handed out again";
    EXPECT_EQ(PQtransactionStatus(b->native()), PQTRANS_IDLE);
    EXPECT_EQ(query_value(b->native(), "SELECT 2"), "2");
}

TEST(PostgresPool, AStoppedServersShareMovesToTheOtherAndComesBack) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer a, b;
    const BackendKey ka = backend_key(a.backend()), kb = backend_key(b.backend());
    PgPool pool(quick(4), resolver_for({&a, &b}), factory(login(a)));
    auto spread_is = [&](std::size_t on_a, std::size_t on_b) {
        return eventually([&] {
            auto open = open_by_backend(pool);
            return open[ka] == on_a && open[kb] == on_b;
        });
    };
    ASSERT_TRUE(spread_is(2, 2));

    a.stop();
    // Claims keep succeeding throughout; a claimer that meets a dead session
    // before the health check does discards it, as applications would.
    std::atomic<bool> done{false};
    std::atomic<int> claim_failures{0}, served_by_b{0};
    std::thread claimer([&] {  // started here, joined below
        while (!done) {
            try {
                auto conn = pool.claim(5s);
                if (run_ok(conn->native(), "SELECT 1")) {
                    if (conn.backend() == b.backend()) ++served_by_b;
                } else {
                    conn.discard();
                }
            } catch (const Error&) {
                ++claim_failures;
            }
            std::this_thread::sleep_for(2ms);
        }
    });
    EXPECT_TRUE(spread_is(0, 4));
    EXPECT_TRUE(eventually([&] { return served_by_b.load() > 20; }));

    a.start();
    EXPECT_TRUE(spread_is(2, 2));
    done = true;
    claimer.join();
    EXPECT_EQ(claim_failures.load(), 0);
}

TEST(PostgresPool, WrongPasswordShowsLibpqsMessageButNotThePassword) {
    CUEBALL_REQUIRE_POSTGRES();
    PostgresServer server;
    const std::string secret = "Wr0ng-Pa55-word";
    PostgresOptions options = login(server);
    options.password = secret;
    CapturedLog log;
    options.logger = log.logger();
    PoolOptions pool_options = quick(2);
    pool_options.logger = log.logger();
    PgPool pool(pool_options, resolver_for({&server}), factory(options));
    // ClaimTimeout, or NoBackendsAvailable once the backend counts as dead:
    // either way the caller is told why.
    try {
        pool.claim(1500ms);
        FAIL() << "claim with a wrong password succeeded";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("password authentication failed"), std::string::npos) << what;
        EXPECT_EQ(what.find(secret), std::string::npos) << what;
    }
    const PoolStats stats = pool.stats();
    ASSERT_EQ(stats.backends.size(), 1u);
    EXPECT_GT(stats.backends[0].connect_failures, 0u);
    EXPECT_NE(stats.backends[0].last_error.find("password authentication failed"), std::string::npos);
    EXPECT_EQ(stats.backends[0].last_error.find(secret), std::string::npos);
    pool.stop();
    const std::string text = log.text();
    EXPECT_NE(text.find("password authentication failed"), std::string::npos) << text;
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
}

}  // namespace
}  // namespace cueball::test
