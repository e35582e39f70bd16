// cueball-pg-workload: worker threads run short read-write transactions
// through one ConnectionPool<PostgresConnection> spread over one or more
// PostgreSQL servers; every second it prints transactions/s, how long
// claim() waited (p50/p99) and how many transactions each server committed.
// With no --server it starts two throwaway servers of its own.
#include "args.hpp"
#include "recorder.hpp"
#include "workload.hpp"

#include <cueball/connections/postgres.hpp>
#include <cueball/cueball.hpp>
#ifdef CUEBALL_WORKLOAD_WITH_HTTP
#include <cueball/stats_server.hpp>
#endif

#include <postgres_server.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) { interrupted = 1; }

void print(const pg_workload::Interval& i, std::chrono::duration<double> span, const char* label) {
    std::cout << label << "  tx/s " << static_cast<std::uint64_t>(static_cast<double>(i.transactions) / span.count())
              << "  claim wait p50 " << i.wait_p50.count() << " us  p99 " << i.wait_p99.count() << " us";
    for (const auto& [server, n] : i.per_server) std::cout << "  " << server << " " << n;
    if (i.errors > 0) std::cout << "  errors " << i.errors;
    std::cout << std::endl;
}

int run(const pg_workload::Args& args) {
    // Servers we start ourselves live until run() returns.
    std::vector<std::unique_ptr<cueball::testing::PostgresServer>> own;
    cueball::PostgresOptions login;
    login.dbname = args.dbname;
    login.user = args.user;
    login.password = args.password;
    login.application_name = "cueball-pg-workload";
    std::vector<cueball::Backend> servers = args.servers;
    if (servers.empty()) {
        if (!cueball::testing::PostgresServer::available()) {
            std::cerr << "no --server given, and cannot start one: "
                      << cueball::testing::PostgresServer::why_unavailable() << "\n";
            return 1;
        }
        for (int i = 0; i < 2; ++i) {
            own.push_back(std::make_unique<cueball::testing::PostgresServer>());
            servers.push_back(own.back()->backend());
            std::cout << "started a server on " << cueball::backend_key(servers.back()) << " in "
                      << own.back()->directory() << std::endl;
        }
        login.dbname = "postgres";
        login.user = own.front()->superuser();
        login.password = own.front()->password();
    }
    for (const cueball::Backend& server : servers) pg_workload::prepare(server, login, args.accounts);

    cueball::PoolOptions pool_options;
    pool_options.name = "pg-workload";
    pool_options.max_connections = args.connections;
    pool_options.claim_timeout = 5s;
    pool_options.health_check_interval = 5s;
    cueball::ConnectionPool<cueball::PostgresConnection> pool(
        pool_options, std::make_shared<cueball::StaticResolver>(servers), [login](const cueball::Backend& backend) {
            return std::make_unique<cueball::PostgresConnection>(backend, login);
        });

#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    std::unique_ptr<cueball::StatsServer> stats_server;
    if (args.http_port != 0) {
        cueball::StatsServerOptions http;
        http.port = args.http_port;
        stats_server = std::make_unique<cueball::StatsServer>(http);
        stats_server->add(pool);
        std::cout << "stats on http://127.0.0.1:" << stats_server->port() << "/stats and /metrics\n";
    }
#else
    if (args.http_port != 0) {
        std::cerr << "cueball-pg-workload: this build has no stats endpoint (cueball::http was not built)\n";
        return 2;
    }
#endif

    pg_workload::Recorder recorder;
    std::atomic<bool> stop{false};
    // Workers: started here, joined below once `stop` is set; each waits only
    // in claim() (bounded by claim_timeout) and on its server.
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < args.threads; ++w) {
        workers.emplace_back([&, w] {
            std::mt19937_64 rng(w + 1);
            while (!stop) {
                const auto start = Clock::now();
                try {
                    auto conn = pool.claim();
                    const auto waited = Clock::now() - start;
                    const std::string error = pg_workload::transfer(conn->native(), args.accounts, rng);
                    if (error.empty()) {
                        recorder.committed(cueball::backend_key(conn.backend()), waited);
                    } else {
                        recorder.failed(waited);
                    }
                } catch (const cueball::Error& e) {
                    recorder.failed(Clock::now() - start);
                    if (!stop) std::cerr << e.what() << "\n";
                }
            }
        });
    }

    pg_workload::Interval total;
    const auto began = Clock::now();
    auto last = began;
    for (int second = 1; interrupted == 0; ++second) {
        while (interrupted == 0 && Clock::now() < began + std::chrono::seconds(second)) std::this_thread::sleep_for(50ms);
        const auto now = Clock::now();
        const pg_workload::Interval i = recorder.take();
        print(i, now - last, ("t=" + std::to_string(second) + "s").c_str());
        last = now;
        total.transactions += i.transactions;
        total.errors += i.errors;
        for (const auto& [server, n] : i.per_server) total.per_server[server] += n;
        if (args.seconds.count() > 0 && second >= args.seconds.count()) break;
    }
    stop = true;
    for (std::thread& t : workers) t.join();
#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    stats_server.reset();  // before the pool it reads from
#endif
    pool.stop();
    const pg_workload::Interval rest = recorder.take();
    total.transactions += rest.transactions;
    total.errors += rest.errors;
    for (const auto& [server, n] : rest.per_server) total.per_server[server] += n;
    total.wait_p50 = recorder.total_wait_bound(0.50);
    total.wait_p99 = recorder.total_wait_bound(0.99);
    print(total, Clock::now() - began, "total (claim waits rounded up to a power of two)");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    pg_workload::Args args;
    try {
        args = pg_workload::parse_args(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "cueball-pg-workload: " << e.what() << "\n\n" << pg_workload::usage();
        return 2;
    }
    if (args.help) {
        std::cout << pg_workload::usage();
        return 0;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    try {
        return run(args);
    } catch (const std::exception& e) {
        std::cerr << "cueball-pg-workload: " << e.what() << "\n";
        return 1;
    }
}
