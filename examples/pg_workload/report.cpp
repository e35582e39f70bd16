#include "report.hpp"

#include <iomanip>
#include <sstream>

namespace pg_workload {

namespace {

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }
double ms(std::chrono::duration<double> d) { return d.count() * 1000.0; }

}  // namespace

std::string progress_line(std::chrono::duration<double> at, std::chrono::duration<double> span, const Tally& t) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << "progress: " << at.count() << " s, "
        << (span.count() > 0 ? static_cast<double>(t.committed) / span.count() : 0.0) << " tps"
        << std::setprecision(3) << ", lat " << t.latency_average_ms() << " ms stddev " << t.latency_stddev_ms()
        << ", " << t.failed() << " failed, lat p99 " << ms(t.latency.quantile(0.99)) << " ms";
    return out.str();
}

std::string summary(const RunDescription& run, const Tally& total, const std::map<Failure, std::string>& first_failures,
                    const std::optional<FailoverTimes>& failover) {
    const std::uint64_t failed = total.failed();
    const std::uint64_t attempted = total.committed + failed;
    std::ostringstream out;
    out << std::fixed << std::setprecision(3);
    out << "transaction type: " << transaction_type(run.mode) << "\n"
        << "scaling factor: " << run.scale << "\n"
        << "query mode: " << to_string(run.protocol) << "\n"
        << "number of clients: " << run.clients << "\n"
        << "number of threads: " << run.clients << " (one per client)\n"
        << "pool: " << run.pool_size << " connections, role " << cueball::to_string(run.role) << ", reset query \""
        << run.reset_query << "\"\n"
        << "duration: " << std::setprecision(0) << run.duration.count() << " s\n"
        << std::setprecision(3) << "number of transactions actually processed: " << total.committed << "\n"
        << "number of failed transactions: " << failed << " ("
        << (attempted > 0 ? 100.0 * static_cast<double>(failed) / static_cast<double>(attempted) : 0.0) << "%)\n"
        << "failed transactions by cause:";
    for (Failure f : {Failure::connection, Failure::serialization, Failure::claim, Failure::other}) {
        out << (f == Failure::connection ? " " : ", ") << to_string(f) << " "
            << total.failed_by[static_cast<std::size_t>(f)];
    }
    out << "\n";
    for (const auto& [why, message] : first_failures) out << "first " << to_string(why) << " failure: " << message << "\n";
    out << "latency average = " << total.latency_average_ms() << " ms\n"
        << "latency stddev = " << total.latency_stddev_ms() << " ms\n"
        << "latency p50 = " << ms(total.latency.quantile(0.50)) << " ms\n"
        << "latency p99 = " << ms(total.latency.quantile(0.99)) << " ms\n"
        << "claim wait p50 = " << ms(run.claim_wait_p50) << " ms\n"
        << "claim wait p99 = " << ms(run.claim_wait_p99) << " ms\n"
        << "initial connection time = " << ms(run.initial_connection) << " ms\n"
        << "transactions per server:";
    for (const auto& [server, n] : total.per_server) out << " " << server << " " << n;
    out << "\n";
    if (failover) {
        out << "failover: " << failover->old_primary << " stopped after " << ms(failover->stopped) << " ms, "
            << failover->new_primary << " promoted after " << ms(failover->promoted) << " ms\n";
        if (failover->writes_back) {
            out << "failover: writes succeeded again after " << ms(*failover->writes_back) << " ms\n";
        } else {
            out << "failover: writes did not succeed again before the end of the run\n";
        }
    }
    out << std::setprecision(6) << "tps = " << (run.duration.count() > 0 ? static_cast<double>(total.committed) /
                                                                             run.duration.count()
                                                                       : 0.0)
        << " (without initial connection time)\n";
    return out.str();
}

}  // namespace pg_workload
