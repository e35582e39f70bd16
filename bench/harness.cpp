#include "harness.hpp"

#include <ctime>

#include <algorithm>
#include <stdexcept>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BENCH_PAUSE() _mm_pause()
#else
#define BENCH_PAUSE() std::atomic_signal_fence(std::memory_order_seq_cst)
#endif

namespace bench {

void spin_for(ns duration) {
    const Clock::time_point end = Clock::now() + duration;
    while (Clock::now() < end) BENCH_PAUSE();
}

void leave_single_thread_mode() {
    std::thread([] {}).join();
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Sample run_threads(int threads, double secs, const ThreadBody& body) {
    std::atomic<bool> stop{false}, go{false};
    std::atomic<int> ready{0};
    std::vector<ThreadStats> stats(static_cast<std::size_t>(threads));
    std::vector<std::thread> running;
    for (int i = 0; i < threads; ++i) {
        running.emplace_back([&, i] {
            ready.fetch_add(1);
            while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
            body(i, stop, stats[static_cast<std::size_t>(i)]);
        });
    }
    while (ready.load() < threads) std::this_thread::yield();
    const Clock::time_point t0 = Clock::now();
    const double cpu0 = process_cpu_seconds();
    go.store(true, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(secs));
    stop.store(true);
    const Clock::time_point t1 = Clock::now();
    const double cpu1 = process_cpu_seconds();
    for (std::thread& t : running) t.join();
    Sample sample;
    sample.secs = seconds_between(t0, t1);
    sample.cpu_secs = cpu1 - cpu0;
    for (ThreadStats& s : stats) {
        sample.ops += s.ops;
        sample.handoffs += s.handoffs;
        sample.waits_ns.insert(sample.waits_ns.end(), s.waits_ns.begin(), s.waits_ns.end());
    }
    return sample;
}

Sample run_batches(double secs, std::uint64_t per_batch, const std::function<void()>& batch) {
    Sample sample;
    const Clock::time_point t0 = Clock::now();
    const Clock::time_point end = t0 + std::chrono::duration_cast<ns>(std::chrono::duration<double>(secs));
    Clock::time_point t;
    do {
        batch();
        sample.ops += per_batch;
        t = Clock::now();
    } while (t < end);
    sample.secs = seconds_between(t0, t);
    return sample;
}

double median(std::vector<double> values) {
    if (values.empty()) throw std::logic_error("median of no values");
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double percentile_us(std::vector<std::uint32_t>& samples, double p) {
    if (samples.empty()) return 0;
    const std::size_t k =
        std::min(samples.size() - 1, static_cast<std::size_t>(p * static_cast<double>(samples.size())));
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end());
    return samples[k] / 1000.0;
}

double per_million_over(const std::vector<std::uint32_t>& samples, std::uint32_t limit_ns) {
    if (samples.empty()) return 0;
    const auto over = std::count_if(samples.begin(), samples.end(), [limit_ns](std::uint32_t x) { return x > limit_ns; });
    return 1e6 * static_cast<double>(over) / static_cast<double>(samples.size());
}

}  // namespace bench
