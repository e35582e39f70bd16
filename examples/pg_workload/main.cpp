// cueball-pg-workload: pgbench's built-in transactions run by client threads
// through one ConnectionPool<PostgresConnection>, reported in pgbench's
// words so that the two can be run against the same servers and compared.
// With no --server it starts a primary and a streaming standby of its own,
// and with --failover-after it promotes the standby in the middle of the run.
#include "options.hpp"
#include "recorder.hpp"
#include "report.hpp"
#include "servers.hpp"
#include "transactions.hpp"

#include <cueball/connections/postgres.hpp>
#include <cueball/cueball.hpp>
#ifdef CUEBALL_WORKLOAD_WITH_HTTP
#include <cueball/stats_server.hpp>
#endif

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

namespace {

using namespace std::chrono_literals;
using pg_workload::Clock;
using Pool = cueball::ConnectionPool<cueball::PostgresConnection>;

volatile std::sig_atomic_t interrupted = 0;

void on_signal(int) { interrupted = 1; }

// One client: transactions one after another until `stop`. Runs on a thread
// that run() starts and joins; it waits only in claim() (bounded by the
// claim timeout) and on its server.
void client(Pool& pool, const pg_workload::Options& options, std::size_t scale, std::uint64_t seed,
            pg_workload::Recorder& recorder, const std::atomic<bool>& stop) {
    std::mt19937_64 rng(seed);
    while (!stop) {
        const auto transaction = pg_workload::statements(options.mode, pg_workload::draw(scale, rng));
        const auto start = Clock::now();
        try {
            auto conn = pool.claim();
            const pg_workload::Outcome outcome = pg_workload::run(conn->native(), options.protocol, transaction);
            if (outcome.failure == pg_workload::Failure::none) {
                const cueball::BackendKey server = cueball::backend_key(conn.backend());
                conn.release();  // the pool's reset() is part of the transaction's cost
                if (!stop) recorder.committed(server, start, Clock::now());
            } else {
                // A session whose server went away is no use to the next client.
                if (outcome.failure == pg_workload::Failure::connection) conn.discard();
                if (!stop) recorder.failed(outcome.failure, outcome.message);
            }
        } catch (const cueball::Error& e) {
            if (stop) break;
            recorder.failed(pg_workload::Failure::claim, e.what());
            // A failed pool refuses claims at once; pause as an application
            // would, rather than count thousands of refusals a second.
            std::this_thread::sleep_for(10ms);
        }
    }
}

// Waits until the pool has all its connections open (or 10 s have passed, as
// when some servers are down or in the wrong role); how long it took.
std::chrono::duration<double> wait_for_connections(const Pool& pool, std::size_t wanted) {
    const auto began = Clock::now();
    while (interrupted == 0 && pool.stats().total_connections < wanted && Clock::now() < began + 10s) {
        std::this_thread::sleep_for(10ms);
    }
    return Clock::now() - began;
}

int run(const pg_workload::Options& options) {
    // Our own servers live until run() returns; made and destroyed on the main thread.
    std::unique_ptr<pg_workload::OwnServers> own;
    cueball::PostgresOptions login;
    login.dbname = options.dbname;
    login.user = options.user;
    login.password = options.password;
    std::vector<cueball::Backend> servers = options.servers;
    if (servers.empty()) {
        if (!cueball::testing::PostgresServer::available()) {
            std::cerr << "cueball-pg-workload: no --server given, and cannot start one: "
                      << cueball::testing::PostgresServer::why_unavailable() << "\n";
            return 1;
        }
        std::cout << "starting a primary and a standby on 127.0.0.1 (pgbench -i -s " << options.scale << ")..."
                  << std::endl;
        own = std::make_unique<pg_workload::OwnServers>(options.scale);
        servers = own->backends();
        login = own->login();
        std::cout << "primary " << own->primary_key() << ", standby " << own->standby_key() << std::endl;
    }
    login.application_name = "cueball-pg-workload";
    if (options.vacuum) {
        std::cout << "starting vacuum..." << std::flush;
        pg_workload::vacuum_primaries(servers, login);
        std::cout << "end." << std::endl;
    }
    login.reset_query = options.reset_query;
    login.target_role = options.role;

    cueball::PoolOptions pool_options;
    pool_options.name = "pg-workload";
    pool_options.max_connections = options.pool_size;
    pool_options.claim_timeout = options.claim_timeout;
    pool_options.backoff_max = options.backoff_max;
    pool_options.health_check_interval = 5s;
    Pool pool(pool_options, std::make_shared<cueball::StaticResolver>(servers), [login](const cueball::Backend& b) {
        return std::make_unique<cueball::PostgresConnection>(b, login);
    });

#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    std::unique_ptr<cueball::StatsServer> stats_server;
    if (options.http_port != 0) {
        cueball::StatsServerOptions http;
        http.port = options.http_port;
        stats_server = std::make_unique<cueball::StatsServer>(http);
        stats_server->add(pool);
        std::cout << "stats on http://127.0.0.1:" << stats_server->port() << "/stats and /metrics" << std::endl;
    }
#else
    if (options.http_port != 0) {
        std::cerr << "cueball-pg-workload: this build has no stats endpoint (cueball::http was not built)\n";
        return 2;
    }
#endif

    pg_workload::RunDescription run;
    run.mode = options.mode;
    run.protocol = options.protocol;
    run.clients = options.clients;
    run.pool_size = options.pool_size;
    run.role = options.role;
    run.reset_query = options.reset_query;
    run.initial_connection = wait_for_connections(pool, options.pool_size);
    {
        auto conn = pool.claim();
        run.scale = pg_workload::read_scale(conn->native());
    }
    if (!own && options.scale_given && run.scale != options.scale) {
        std::cerr << "cueball-pg-workload: --scale ignored, using the count from pgbench_branches (" << run.scale
                  << ")\n";
    }

    pg_workload::Recorder recorder;
    std::atomic<bool> stop{false};
    std::random_device seeds;
    std::vector<std::thread> clients;
    const auto began = Clock::now();
    for (std::size_t c = 0; c < options.clients; ++c) {
        clients.emplace_back(client, std::ref(pool), std::cref(options), run.scale, seeds(), std::ref(recorder),
                             std::cref(stop));
    }

    std::optional<pg_workload::FailoverTimes> failover;
    Clock::time_point failover_began;
    std::string failover_error;
    auto last_progress = began;
    auto next_progress = began + options.progress;
    while (interrupted == 0) {
        std::this_thread::sleep_for(20ms);
        const auto now = Clock::now();
        if (options.progress.count() > 0 && now >= next_progress) {
            std::cout << pg_workload::progress_line(now - began, now - last_progress, recorder.take_interval())
                      << std::endl;
            last_progress = now;
            // On a fixed grid, so that the lines do not drift by a tick each.
            while (next_progress <= now) next_progress += options.progress;
        }
        if (own && options.failover_after.count() > 0 && !failover && now >= began + options.failover_after) {
            failover.emplace();
            failover->old_primary = own->primary_key();
            failover->new_primary = own->standby_key();
            std::cout << "failover: stopping the primary " << failover->old_primary << std::endl;
            failover_began = Clock::now();
            own->stop_primary();
            failover->stopped = Clock::now() - failover_began;
            // Writes are back once a transaction begun after this commits.
            recorder.watch_recovery(Clock::now());
            std::cout << "failover: promoting the standby " << failover->new_primary << std::endl;
            try {
                own->promote_standby();
            } catch (const std::runtime_error& e) {
                // The clients must still be stopped and joined: end the run here.
                failover_error = e.what();
                break;
            }
            failover->promoted = Clock::now() - failover_began;
        }
        if (options.duration.count() > 0 && now >= began + options.duration) break;
    }
    stop = true;
    run.duration = Clock::now() - began;
    for (std::thread& t : clients) t.join();
#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    stats_server.reset();  // before the pool it reads from
#endif
    const cueball::PoolStats stats = pool.stats();
    run.claim_wait_p50 = stats.claim_wait.quantile(0.50);
    run.claim_wait_p99 = stats.claim_wait.quantile(0.99);
    pool.stop();
    if (failover) {
        if (const auto at = recorder.recovered_at()) failover->writes_back = *at - failover_began;
    }
    std::cout << pg_workload::summary(run, recorder.total(), recorder.first_messages(), failover) << std::flush;
    if (!failover_error.empty()) {
        std::cerr << "cueball-pg-workload: the failover failed: " << failover_error << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    pg_workload::Options options;
    if (const auto exit_code = pg_workload::parse_options(argc, argv, options)) return *exit_code;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    try {
        return run(options);
    } catch (const std::exception& e) {
        std::cerr << "cueball-pg-workload: " << e.what() << "\n";
        return 1;
    }
}
