// W7 real database: 8 threads run "SELECT 1" through a pool of 8
// PostgresConnections over two throwaway servers, and then over one direct
// libpq connection per thread (the same servers, alternating), so the ratio
// shows what the pool costs on top of a real round trip.
#include "harness.hpp"
#include "workloads.hpp"

#include <cueball/connections/postgres.hpp>
#include <cueball/cueball.hpp>

#include <libpq-fe.h>
#include <postgres_server.hpp>

#include <memory>
#include <stdexcept>
#include <thread>

namespace bench {

namespace {

constexpr int kThreads = 8;
constexpr std::size_t kConnections = 8;

void select_one(PGconn* conn) {
    PGresult* result = PQexec(conn, "SELECT 1");
    const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
    if (!ok) throw std::runtime_error(std::string("W7: SELECT 1 failed: ") + PQerrorMessage(conn));
}

Sample pooled_run(cueball::ConnectionPool<cueball::PostgresConnection>& pool, double secs) {
    return run_threads(kThreads, secs, [&](int, const std::atomic<bool>& stop, ThreadStats& st) {
        while (!stop.load(std::memory_order_relaxed)) {
            auto conn = pool.claim(kClaimTimeout);
            select_one(conn->native());
            st.ops++;
        }
    });
}

Sample direct_run(std::vector<std::unique_ptr<cueball::PostgresConnection>>& direct, double secs) {
    return run_threads(kThreads, secs, [&](int me, const std::atomic<bool>& stop, ThreadStats& st) {
        PGconn* conn = direct[static_cast<std::size_t>(me)]->native();
        while (!stop.load(std::memory_order_relaxed)) {
            select_one(conn);
            st.ops++;
        }
    });
}

double rate(const Sample& x) { return static_cast<double>(x.ops) / x.secs; }

}  // namespace

void run_w7(const Settings& s, Reporter& r) {
    if (!cueball::testing::PostgresServer::available()) {
        r.skip("W7", "real_database", "PostgreSQL binaries missing: " + cueball::testing::PostgresServer::why_unavailable());
        return;
    }
    cueball::testing::PostgresServer first, second;
    const std::vector<cueball::Backend> servers{first.backend(), second.backend()};
    cueball::PostgresOptions login;
    login.dbname = "postgres";
    login.user = first.superuser();
    login.password = first.password();
    login.application_name = "cueball-bench";

    cueball::PoolOptions options;
    options.name = "W7";
    options.max_connections = kConnections;
    cueball::ConnectionPool<cueball::PostgresConnection> pool(
        options, std::make_shared<cueball::StaticResolver>(servers),
        [login](const cueball::Backend& b) { return std::make_unique<cueball::PostgresConnection>(b, login); });
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    while (pool.stats().idle_connections < kConnections) {
        if (Clock::now() > deadline) throw std::runtime_error("W7: the pool did not open 8 connections in 30 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // The same servers, the same number of sessions, spread the same way.
    std::vector<std::unique_ptr<cueball::PostgresConnection>> direct;
    for (int i = 0; i < kThreads; ++i) {
        direct.push_back(std::make_unique<cueball::PostgresConnection>(servers[static_cast<std::size_t>(i % 2)], login));
        direct.back()->connect();
    }
    // Alternating, so that a change in the machine's load hits both alike.
    pooled_run(pool, s.warm);
    direct_run(direct, s.warm);
    std::vector<double> pooled, unpooled;
    for (int i = 0; i < s.repeats; ++i) {
        pooled.push_back(rate(pooled_run(pool, s.secs)));
        unpooled.push_back(rate(direct_run(direct, s.secs)));
    }
    for (auto& c : direct) c->close();

    const double pool_qps = median(pooled), direct_qps = median(unpooled);
    r.add(Result("W7", "real_database")
              .number("queries_per_s", pool_qps, 0)
              .number("direct_queries_per_s", direct_qps, 0)
              .number("ratio_pool_direct", pool_qps / direct_qps, 3)
              .number("threads", kThreads, 0)
              .number("servers", 2, 0)
              .list("runs_qps", pooled)
              .list("runs_direct_qps", unpooled));
}

}  // namespace bench
