// Timing helpers shared by the workloads, following the conventions of the
// reference floor: steady-clock timestamps, a start barrier for threads,
// medians over repeats and percentiles over per-claim samples.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;
using ns = std::chrono::nanoseconds;

// Long enough never to fire in a healthy run: a claim that times out is a
// failure of the run, not a measurement.
inline constexpr std::chrono::milliseconds kClaimTimeout{10'000};

// Keeps the compiler from dropping a claim whose result is otherwise unused.
inline void sink(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

// Busy work: spins on the steady clock, so it takes the requested time on
// any machine without a calibration table and never sleeps.
void spin_for(ns duration);

// glibc skips atomic instructions in its locks while a process has never had
// a second thread. A program with a pool always has threads, so measure in
// the state it will really run in.
void leave_single_thread_mode();

double seconds_between(Clock::time_point from, Clock::time_point to);
double ms_between(Clock::time_point from, Clock::time_point to);

// What one thread of a multi-threaded run counted; padded so that threads do
// not share a cache line.
struct alignas(64) ThreadStats {
    std::uint64_t ops = 0;
    std::uint64_t handoffs = 0;
    std::vector<std::uint32_t> waits_ns;  // per-claim wait, when the workload records it
};

// One timed run, all threads together.
struct Sample {
    double secs = 0;
    double cpu_secs = 0;  // CPU time of the whole process over the same span (run_threads)
    std::uint64_t ops = 0;
    std::uint64_t handoffs = 0;
    std::vector<std::uint32_t> waits_ns;
};

using ThreadBody = std::function<void(int thread, const std::atomic<bool>& stop, ThreadStats& stats)>;

// Starts `threads` threads, releases them together once all are running,
// lets them run for `secs` and stops them; the clock covers exactly the time
// between the release and the stop signal.
Sample run_threads(int threads, double secs, const ThreadBody& body);

// Runs `batch()` (which does `per_batch` operations) until `secs` have passed,
// reading the clock only between batches.
Sample run_batches(double secs, std::uint64_t per_batch, const std::function<void()>& batch);

// CPU time the process has used so far, all threads.
double process_cpu_seconds();

double median(std::vector<double> values);
// The p-quantile (0..1) of the samples, in microseconds. Reorders `samples`.
double percentile_us(std::vector<std::uint32_t>& samples, double p);

// How many samples in a million exceed `limit_ns`.
double per_million_over(const std::vector<std::uint32_t>& samples, std::uint32_t limit_ns);

}  // namespace bench
