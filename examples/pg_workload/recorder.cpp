#include "recorder.hpp"

#include <cmath>
#include <utility>

namespace pg_workload {

namespace {

void add_commit(Tally& t, const cueball::BackendKey& server, std::chrono::nanoseconds latency) {
    ++t.committed;
    t.latency.record(latency);
    const double ms = std::chrono::duration<double, std::milli>(latency).count();
    t.latency_squares_ms2 += ms * ms;
    ++t.per_server[server];
}

}  // namespace

std::uint64_t Tally::failed() const {
    std::uint64_t n = 0;
    for (std::uint64_t f : failed_by) n += f;
    return n;
}

double Tally::latency_average_ms() const {
    if (committed == 0) return 0;
    return std::chrono::duration<double, std::milli>(latency.sum).count() / static_cast<double>(committed);
}

double Tally::latency_stddev_ms() const {
    if (committed == 0) return 0;
    const double mean = latency_average_ms();
    const double variance = latency_squares_ms2 / static_cast<double>(committed) - mean * mean;
    return variance > 0 ? std::sqrt(variance) : 0;
}

void Recorder::committed(const cueball::BackendKey& server, Clock::time_point start, Clock::time_point end) {
    std::lock_guard lock(mu_);
    add_commit(interval_, server, end - start);
    add_commit(total_, server, end - start);
    if (recovery_since_ && !recovered_at_ && start >= *recovery_since_) recovered_at_ = end;
}

void Recorder::failed(Failure why, const std::string& message) {
    std::lock_guard lock(mu_);
    ++interval_.failed_by[static_cast<std::size_t>(why)];
    ++total_.failed_by[static_cast<std::size_t>(why)];
    first_messages_.try_emplace(why, message);
}

Tally Recorder::take_interval() {
    std::lock_guard lock(mu_);
    return std::exchange(interval_, Tally{});
}

Tally Recorder::total() {
    std::lock_guard lock(mu_);
    return total_;
}

std::map<Failure, std::string> Recorder::first_messages() {
    std::lock_guard lock(mu_);
    return first_messages_;
}

void Recorder::watch_recovery(Clock::time_point since) {
    std::lock_guard lock(mu_);
    recovery_since_ = since;
    recovered_at_.reset();
}

std::optional<Clock::time_point> Recorder::recovered_at() {
    std::lock_guard lock(mu_);
    return recovered_at_;
}

}  // namespace pg_workload
