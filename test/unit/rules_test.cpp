// The pool's rules as pure functions, table by table: saturating time,
// debounce, churn budget, spares sizing, lifetimes, pool state and outlier
// ejection, including the extreme values options may take.
#include "rules/churn.hpp"
#include "rules/debounce.hpp"
#include "rules/lifetime.hpp"
#include "rules/outlier.hpp"
#include "rules/pool_state.hpp"
#include "rules/sizing.hpp"
#include "rules/time.hpp"

#include <cueball/detail/backoff.hpp>

#include <gtest/gtest.h>

#include <limits>

namespace cueball::detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint t0 = TimePoint(hours(1));

// ---------------------------------------------------------------- time

TEST(TimeRule, AfterSaturatesInsteadOfOverflowing) {
    EXPECT_EQ(after(t0, milliseconds(5)), t0 + milliseconds(5));
    EXPECT_EQ(after(t0, milliseconds(0)), t0);
    EXPECT_EQ(after(t0, milliseconds::max()), kNever);
    EXPECT_EQ(after(t0, hours(24 * 365 * 1000)), kNever);
    EXPECT_EQ(after(t0, std::chrono::nanoseconds::max()), kNever);
    EXPECT_EQ(after(t0, std::chrono::duration<double, std::milli>(1e300)), kNever);
    EXPECT_EQ(after(kNever, milliseconds(1)), kNever);
    EXPECT_EQ(after(t0, milliseconds(-5)), t0 - milliseconds(5));
    EXPECT_EQ(after(TimePoint::min(), milliseconds(-5)), TimePoint::min());
}

TEST(TimeRule, UntilIsNeverNegative) {
    EXPECT_EQ(until(t0, t0 + seconds(1)), seconds(1));
    EXPECT_EQ(until(t0, t0 - seconds(1)), SteadyClock::duration::zero());
    EXPECT_EQ(until(t0, kNever), kNever - t0);
}

// ---------------------------------------------------------------- backoff

struct BackoffCase {
    const char* what;
    BackoffPolicy policy;
    std::uint64_t failures;
    double u;
    milliseconds expected;
};

class BackoffTable : public ::testing::TestWithParam<BackoffCase> {};
std::ostream& operator<<(std::ostream& out, const BackoffCase& c) { return out << c.what; }

TEST_P(BackoffTable, Delay) { EXPECT_EQ(backoff_delay(GetParam().failures, GetParam().policy, GetParam().u), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(
    Rules, BackoffTable,
    ::testing::Values(
        BackoffCase{"first retry", {milliseconds(100), milliseconds(10'000), 2.0, 0.0}, 1, 0.0, milliseconds(100)},
        BackoffCase{"multiplier 1 stays at initial", {milliseconds(100), milliseconds(10'000), 1.0, 0.0}, 50, 0.0,
                    milliseconds(100)},
        BackoffCase{"max() as the cap saturates", {milliseconds(1), milliseconds::max(), 1000.0, 0.0}, 100, 0.0,
                    milliseconds(static_cast<std::int64_t>(9.0e18))},
        BackoffCase{"full jitter never below 1 ms", {milliseconds(1), milliseconds(1), 2.0, 1.0}, 1, 1.0,
                    milliseconds(1)},
        BackoffCase{"a dead backend's step", {milliseconds(100), milliseconds(10'000), 2.0, 0.0}, UINT64_MAX, 0.0,
                    milliseconds(10'000)}));

// ---------------------------------------------------------------- debounce

TEST(DebounceRule, QuietPeriodOrMaximumDelayWhicheverComesFirst) {
    const milliseconds quiet(100);
    EXPECT_EQ(apply_events_at({}, quiet, milliseconds(0)), kNever);
    // One event: after the quiet period.
    EXPECT_EQ(apply_events_at({t0, t0}, quiet, milliseconds(0)), t0 + quiet);
    // Events for 500 ms: the quiet period runs from the last.
    EXPECT_EQ(apply_events_at({t0, t0 + milliseconds(500)}, quiet, milliseconds(0)), t0 + milliseconds(600));
    // Endless churn: never later than ten quiet periods after the first (the default)...
    EXPECT_EQ(apply_events_at({t0, t0 + seconds(5)}, quiet, milliseconds(0)), t0 + milliseconds(1000));
    // ...or the maximum delay set.
    EXPECT_EQ(apply_events_at({t0, t0 + seconds(5)}, quiet, milliseconds(250)), t0 + milliseconds(250));
    // A maximum below the quiet period counts as the quiet period.
    EXPECT_EQ(effective_max_delay(quiet, milliseconds(10)), quiet);
    EXPECT_EQ(effective_max_delay(milliseconds::max(), milliseconds(0)), milliseconds::max());
}

// ---------------------------------------------------------------- churn

TEST(ChurnRule, OneSecondOfTokensThenOneEveryPeriod) {
    ChurnBucket bucket;
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(churn_take(bucket, t0, 4.0).allowed) << i;
    const ChurnDecision held = churn_take(bucket, t0, 4.0);
    EXPECT_FALSE(held.allowed);
    EXPECT_EQ(held.retry_at, t0 + milliseconds(251));
    EXPECT_TRUE(churn_take(bucket, t0 + milliseconds(250), 4.0).allowed);
    EXPECT_FALSE(churn_take(bucket, t0 + milliseconds(250), 4.0).allowed);
}

TEST(ChurnRule, NoLimitAndExtremeRates) {
    ChurnBucket bucket;
    EXPECT_TRUE(churn_take(bucket, t0, 0.0).allowed);
    EXPECT_TRUE(churn_take(bucket, t0, std::numeric_limits<double>::quiet_NaN()).allowed);
    ChurnBucket slow;
    EXPECT_TRUE(churn_take(slow, t0, 0.001).allowed);  // at least one token
    const ChurnDecision d = churn_take(slow, t0, 0.001);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_at, t0 + seconds(1000) + milliseconds(1));
    ChurnBucket fast;
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(churn_take(fast, t0, 1e9).allowed);
    // A clock that goes back does not mint tokens.
    ChurnBucket back;
    EXPECT_TRUE(churn_take(back, t0, 1.0).allowed);
    EXPECT_FALSE(churn_take(back, t0 - hours(1), 1.0).allowed);
}

// ---------------------------------------------------------------- spares

struct SizingCase {
    const char* what;
    SizingInput in;
    TimePoint now;
    std::size_t size;
    TimePoint low_since;
};
std::ostream& operator<<(std::ostream& out, const SizingCase& c) { return out << c.what; }
class SizingTable : public ::testing::TestWithParam<SizingCase> {};

TEST_P(SizingTable, Decide) {
    const SizingDecision d = decide_size(GetParam().in, GetParam().now);
    EXPECT_EQ(d.size, GetParam().size);
    EXPECT_EQ(d.low_since, GetParam().low_since);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SizingTable,
    ::testing::Values(SizingCase{"grows at once", {4, 6, kNever, milliseconds(1000)}, t0, 6, kNever},
                      SizingCase{"starts the shrink clock", {6, 4, kNever, milliseconds(1000)}, t0, 6, t0},
                      SizingCase{"shrinks after idle_timeout", {6, 4, t0, milliseconds(1000)}, t0 + seconds(1), 4, kNever},
                      SizingCase{"idle_timeout max(): never shrinks", {6, 4, t0, milliseconds::max()}, t0 + hours(1000),
                                 6, t0},
                      SizingCase{"idle_timeout 0: shrinks at once", {6, 4, kNever, milliseconds(0)}, t0, 4, kNever}));

// ---------------------------------------------------------------- lifetime

TEST(LifetimeRule, JitterTakesOffUpToTenPercentAndMaxMeansNever) {
    EXPECT_EQ(lifetime_deadline(t0, milliseconds(0), 0.5), kNever);
    EXPECT_EQ(lifetime_deadline(t0, milliseconds(1000), 0.0), t0 + milliseconds(1000));
    EXPECT_EQ(lifetime_deadline(t0, milliseconds(1000), 1.0), t0 + milliseconds(900));
    EXPECT_EQ(lifetime_deadline(t0, milliseconds::max(), 0.0), kNever);
}

// ---------------------------------------------------------------- pool state

TEST(PoolStateRule, Table) {
    EXPECT_EQ(decide_pool_state({false, false, false, 3, 3}), PoolState::Starting);
    EXPECT_EQ(decide_pool_state({false, false, true, 0, 0}), PoolState::Running);
    EXPECT_EQ(decide_pool_state({false, false, true, 3, 2}), PoolState::Running);
    EXPECT_EQ(decide_pool_state({false, false, true, 3, 3}), PoolState::Failed);
    EXPECT_EQ(decide_pool_state({true, false, true, 3, 3}), PoolState::Stopping);
    EXPECT_EQ(decide_pool_state({true, true, true, 3, 3}), PoolState::Stopped);
}

// ---------------------------------------------------------------- outlier ejection

TEST(OutlierRule, MaxEjectedIsTheFractionRoundedDownButAtLeastOne) {
    EXPECT_EQ(max_ejected(10, 0.5), 5u);
    EXPECT_EQ(max_ejected(3, 0.5), 1u);
    EXPECT_EQ(max_ejected(1, 0.5), 1u);
    EXPECT_EQ(max_ejected(10, 0.0), 1u);
    EXPECT_EQ(max_ejected(10, 1.0), 10u);
    EXPECT_EQ(max_ejected(0, 0.5), 1u);
}

TEST(OutlierRule, ConsecutiveFailuresEjectAndSuccessResetsTheRun) {
    const OutlierPolicy p{3, milliseconds(100), milliseconds(1000), 0.5};
    OutlierRecord r;
    EXPECT_FALSE(record_failure(r, p, 0, 4));
    EXPECT_FALSE(record_failure(r, p, 0, 4));
    record_success(r);
    EXPECT_FALSE(record_failure(r, p, 0, 4));
    EXPECT_FALSE(record_failure(r, p, 0, 4));
    EXPECT_TRUE(record_failure(r, p, 0, 4));
    EXPECT_FALSE(record_failure(r, p, 2, 4)) << "the fraction is full";
    const OutlierPolicy off{0, milliseconds(100), milliseconds(1000), 0.5};
    OutlierRecord o;
    for (int i = 0; i < 10; ++i) EXPECT_FALSE(record_failure(o, off, 0, 4));
}

TEST(OutlierRule, EjectionGrowsWithEachEjectionUpToTheCapAndDecays) {
    const OutlierPolicy p{1, milliseconds(100), milliseconds(250), 0.5};
    OutlierRecord r;
    eject(r, p, t0);
    EXPECT_EQ(r.ejected_until, t0 + milliseconds(100));
    readmit(r, t0 + milliseconds(100));
    eject(r, p, t0 + milliseconds(100));
    EXPECT_EQ(r.ejected_until, t0 + milliseconds(300)) << "twice the base";
    readmit(r, t0 + milliseconds(300));
    eject(r, p, t0 + milliseconds(300));
    EXPECT_EQ(r.ejected_until, t0 + milliseconds(550)) << "capped";
    // A long stay in: the multiplier decays by one per base period.
    readmit(r, t0 + seconds(1));
    eject(r, p, t0 + seconds(1) + milliseconds(250));
    EXPECT_EQ(r.ejected_until, t0 + seconds(1) + milliseconds(250) + milliseconds(200));
    const OutlierPolicy huge{1, milliseconds(86'400'000), milliseconds::max(), 0.5};
    OutlierRecord h;
    h.ejections = UINT64_MAX - 1;
    eject(h, huge, t0);
    EXPECT_EQ(h.ejected_until, kNever) << "saturates";
}

}  // namespace
}  // namespace cueball::detail
