// Outlier ejection from claim outcomes: a backend whose handles are
// discarded `consecutive_failures` times in a row is taken out of the spread
// for a while. Pure functions of the backend's record, so the rules are
// tested with tables of cases.
#pragma once

#include "time.hpp"

#include <cstddef>
#include <cstdint>

namespace cueball::detail {

struct OutlierPolicy {
    std::size_t consecutive_failures = 0;            // 0 = off
    std::chrono::milliseconds base_ejection_time{30'000};
    std::chrono::milliseconds max_ejection_time{30'000};  // max(base, backoff_max)
    double max_ejected_fraction = 0.5;
};

struct OutlierRecord {
    std::uint64_t failures_in_a_row = 0;
    std::uint64_t ejections = 0;     // the multiplier of the next ejection's length, less decay
    TimePoint readmitted_at{};       // when the last ejection ended
    TimePoint ejected_until = kNever;  // while ejected
};

// How many of `known` backends may be ejected at once: the fraction rounded
// down, but at least one.
std::size_t max_ejected(std::size_t known, double fraction);

// A discarded handle. Returns true if the backend is to be ejected now
// (the caller then calls eject()); `ejected_now` is how many are ejected.
bool record_failure(OutlierRecord& r, const OutlierPolicy& p, std::size_t ejected_now, std::size_t known);
// A released handle: the run of failures ends.
inline void record_success(OutlierRecord& r) { r.failures_in_a_row = 0; }

// Ejects: sets ejected_until. The multiplier decays by one for every
// base_ejection_time the backend stayed in since its last readmission, so a
// backend that fails once a day is not ejected for ever longer.
void eject(OutlierRecord& r, const OutlierPolicy& p, TimePoint now);
// Readmits once ejected_until has passed.
void readmit(OutlierRecord& r, TimePoint now);

}  // namespace cueball::detail
