#include "outlier.hpp"

#include <algorithm>
#include <cmath>

namespace cueball::detail {

std::size_t max_ejected(std::size_t known, double fraction) {
    const double n = std::floor(static_cast<double>(known) * std::clamp(fraction, 0.0, 1.0));
    return std::max<std::size_t>(1, static_cast<std::size_t>(n));
}

bool record_failure(OutlierRecord& r, const OutlierPolicy& p, std::size_t ejected_now, std::size_t known) {
    if (p.consecutive_failures == 0) return false;
    ++r.failures_in_a_row;
    if (r.failures_in_a_row < p.consecutive_failures) return false;
    return ejected_now < max_ejected(known, p.max_ejected_fraction);
}

void eject(OutlierRecord& r, const OutlierPolicy& p, TimePoint now) {
    if (r.readmitted_at != TimePoint{} && p.base_ejection_time.count() > 0 && now > r.readmitted_at) {
        const auto periods = static_cast<std::uint64_t>((now - r.readmitted_at) / p.base_ejection_time);
        r.ejections = periods >= r.ejections ? 0 : r.ejections - periods;
    }
    ++r.ejections;
    const auto cap = std::max(p.base_ejection_time, p.max_ejection_time);
    // base * ejections, saturating at the cap.
    const double ms = static_cast<double>(p.base_ejection_time.count()) * static_cast<double>(r.ejections);
    const auto length = ms >= static_cast<double>(cap.count()) ? cap
                                                                : std::chrono::milliseconds(static_cast<std::int64_t>(ms));
    r.ejected_until = after(now, length);
    r.failures_in_a_row = 0;
}

void readmit(OutlierRecord& r, TimePoint now) {
    r.ejected_until = kNever;
    r.readmitted_at = now;
    r.failures_in_a_row = 0;
}

}  // namespace cueball::detail
