// tcp_echo_workload: worker threads claim TcpConnections from one pool, send
// a line and check that it comes back, while the main thread prints every
// second the pool's per-backend counts and the claims per second. Kill and
// restart echo servers under it to watch the pool move its connections.
// See options.cpp for the command line (--help).
#include "options.hpp"
#include "testing/echo_client.hpp"

#include <cueball/connections/tcp.hpp>
#include <cueball/cueball.hpp>
#ifdef CUEBALL_WORKLOAD_WITH_DNS
#include <cueball/resolvers/dns.hpp>
#endif
#ifdef CUEBALL_WORKLOAD_WITH_HTTP
#include <cueball/stats_server.hpp>
#endif

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

// Written by the workers, read by the main thread's reports.
struct Counters {
    std::atomic<std::uint64_t> claims{0};          // echoed correctly
    std::atomic<std::uint64_t> io_errors{0};       // connection failed mid-echo
    std::atomic<std::uint64_t> mismatches{0};      // wrong bytes came back
    std::atomic<std::uint64_t> claim_timeouts{0};  // no connection within --claim-timeout
};

std::shared_ptr<cueball::Resolver> make_resolver(const workload::Options& options) {
    if (!options.uses_dns()) return std::make_shared<cueball::StaticResolver>(options.backends);
#ifdef CUEBALL_WORKLOAD_WITH_DNS
    cueball::DnsResolverOptions dns;
    dns.service = options.dns_service;
    dns.host = options.dns_host;
    dns.port = options.dns_port;
    dns.nameservers = options.nameservers;
    return std::make_shared<cueball::DnsResolver>(dns);
#else
    throw std::logic_error("DNS options in a build without cueball::dns; parse_options() rejects them");
#endif
}

// One worker thread: started by main(), joined by main() after pool.stop(),
// which ends its loop with PoolStopped.
void work(cueball::ConnectionPool<cueball::TcpConnection>& pool, const workload::Options& options,
          std::size_t id, Counters& counters) {
    for (std::uint64_t n = 0;; ++n) {
        try {
            cueball::PoolHandle<cueball::TcpConnection> handle = pool.claim(options.claim_timeout);
            const std::string line = "worker " + std::to_string(id) + " request " + std::to_string(n) + "\n";
            std::string reply;
            try {
                reply = cueball::testing::echo_round_trip(*handle, line, std::chrono::seconds(5));
            } catch (const std::exception&) {
                // The server went away under us: this connection is done.
                handle.discard();
                ++counters.io_errors;
                continue;
            }
            if (reply != line) {
                handle.discard();
                ++counters.mismatches;
                continue;
            }
            ++counters.claims;
        } catch (const cueball::PoolStopped&) {
            return;
        } catch (const cueball::ClaimTimeout& e) {
            ++counters.claim_timeouts;
            // One write, so that lines from different workers do not interleave.
            std::cerr << ("worker " + std::to_string(id) + ": " + e.what() + "\n");
        }
    }
}

void report(const cueball::PoolStats& stats, std::uint64_t claims_per_second, const Counters& counters,
            std::chrono::seconds elapsed) {
    std::printf("[%llds] claims/s=%llu open=%zu idle=%zu claimed=%zu connecting=%zu waiters=%zu "
                "io_errors=%llu mismatches=%llu claim_timeouts=%llu\n",
                static_cast<long long>(elapsed.count()), static_cast<unsigned long long>(claims_per_second),
                stats.total_connections, stats.idle_connections, stats.claimed_connections,
                stats.pending_connections, stats.waiters,
                static_cast<unsigned long long>(counters.io_errors.load()),
                static_cast<unsigned long long>(counters.mismatches.load()),
                static_cast<unsigned long long>(counters.claim_timeouts.load()));
    for (const cueball::BackendStats& b : stats.backends) {
        std::printf("    %-24s idle=%zu claimed=%zu connecting=%zu connect_failures=%llu%s%s\n", b.key.c_str(),
                    b.idle, b.claimed, b.connecting, static_cast<unsigned long long>(b.connect_failures),
                    b.consecutive_failures > 0 ? " FAILING: " : "",
                    b.consecutive_failures > 0 ? b.last_error.c_str() : "");
    }
    std::fflush(stdout);
}

// Waits up to `timeout` for SIGINT or SIGTERM (blocked in every thread).
bool signalled(const sigset_t& signals, std::chrono::milliseconds timeout) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    const timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    return sigtimedwait(&signals, nullptr, &wait) > 0;
}

}  // namespace

int main(int argc, char** argv) {
    workload::Options options;
    if (const auto status = workload::parse_options(argc, argv, options)) return *status;

    // Blocked before any thread starts (they inherit the mask), so that only
    // the main thread's sigtimedwait() sees these.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    cueball::PoolOptions pool_options;
    pool_options.name = "tcp_echo_workload";
    pool_options.max_connections = options.max_connections;
    pool_options.health_check_interval = options.health_check_interval;
    pool_options.connect_timeout = options.connect_timeout + std::chrono::seconds(1);
    const cueball::TcpOptions tcp_options{.connect_timeout = options.connect_timeout};

    Counters counters;
    std::unique_ptr<cueball::ConnectionPool<cueball::TcpConnection>> pool;
    try {
        pool = std::make_unique<cueball::ConnectionPool<cueball::TcpConnection>>(
            pool_options, make_resolver(options), [tcp_options](const cueball::Backend& backend) {
                return std::make_unique<cueball::TcpConnection>(backend, tcp_options);
            });
    } catch (const std::exception& e) {
        std::cerr << "tcp_echo_workload: " << e.what() << "\n";
        return 1;
    }

#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    std::unique_ptr<cueball::StatsServer> stats_server;
    if (options.http_port != 0) {
        try {
            cueball::StatsServerOptions http;
            http.port = options.http_port;
            stats_server = std::make_unique<cueball::StatsServer>(http);
            stats_server->add(*pool);
            std::printf("stats on http://127.0.0.1:%u/stats and /metrics\n", stats_server->port());
        } catch (const std::exception& e) {
            std::cerr << "tcp_echo_workload: " << e.what() << "\n";
            return 1;
        }
    }
#endif

    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < options.threads; ++i) {
        workers.emplace_back(work, std::ref(*pool), std::cref(options), i, std::ref(counters));
    }

    const auto start = std::chrono::steady_clock::now();
    std::uint64_t last_claims = 0;
    for (std::chrono::seconds elapsed{1};; ++elapsed) {
        const auto tick = start + elapsed;
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(tick - std::chrono::steady_clock::now());
        if (signalled(signals, std::max(wait, std::chrono::milliseconds(0)))) break;
        const std::uint64_t claims = counters.claims.load();
        report(pool->stats(), claims - last_claims, counters, elapsed);
        last_claims = claims;
        if (options.duration.count() > 0 && elapsed >= options.duration) break;
    }

#ifdef CUEBALL_WORKLOAD_WITH_HTTP
    stats_server.reset();  // before the pool it reads from
#endif
    pool->stop();
    for (std::thread& t : workers) t.join();
    const std::uint64_t claims = counters.claims.load();
    std::printf("done: %llu echoes checked, %llu io errors, %llu mismatches, %llu claim timeouts\n",
                static_cast<unsigned long long>(claims), static_cast<unsigned long long>(counters.io_errors.load()),
                static_cast<unsigned long long>(counters.mismatches.load()),
                static_cast<unsigned long long>(counters.claim_timeouts.load()));
    return claims > 0 && counters.mismatches.load() == 0 ? 0 : 1;
}
