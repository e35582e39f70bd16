// The workloads of BENCHMARKS.md. Each runs its own pools, prints its line
// through the Reporter and throws std::runtime_error if the run is invalid
// (a claim timed out, a pool did not warm up).
#pragma once

#include "report.hpp"

namespace bench {

struct Settings {
    double secs = 1.0;   // timed per repeat, after warm-up
    double warm = 0.5;   // untimed run before the repeats
    int repeats = 3;     // the median is reported
    bool quick = false;  // shorter runs and smaller repeats where a workload has fixed costs
};

void run_w1(const Settings& s, Reporter& r);  // uncontended
void run_w2(const Settings& s, Reporter& r);   // oversubscribed
void run_w2b(const Settings& s, Reporter& r);  // oversubscribed, FairnessMode::bounded (max_wait 1 ms)
void run_w3(const Settings& s, Reporter& r);  // ample
void run_w4(const Settings& s, Reporter& r);  // large pool
void run_w5(const Settings& s, Reporter& r);  // hand-off
void run_w5b(const Settings& s, Reporter& r);  // hand-off, FairnessMode::bounded (max_wait 1 ms), each claim timed
void run_w6(const Settings& s, Reporter& r);  // failover
void run_w7(const Settings& s, Reporter& r);  // real database
void run_w8(const Settings& s, Reporter& r);  // churn
void run_w9(const Settings& s, Reporter& r);  // memory
void run_w10(const Settings& s, Reporter& r);  // claims while stats() is polled

}  // namespace bench
