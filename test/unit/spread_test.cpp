// The spread rules: split_by_weight and plan_targets, table by table.
#include "rules/spread.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <ostream>
#include <vector>

namespace cueball::detail {
namespace {

using Sizes = std::vector<std::size_t>;
using Weights = std::vector<std::uint16_t>;

std::size_t sum(const Sizes& v) { return std::accumulate(v.begin(), v.end(), std::size_t{0}); }

Sizes even(std::size_t total, const Sizes& current) {
    return split_by_weight(total, Weights(current.size(), 1), current, 0);
}

// ---------------------------------------------------------------- even split (default weights)

TEST(SplitByWeight, NoBackendsGetsNothing) { EXPECT_TRUE(even(10, {}).empty()); }
TEST(SplitByWeight, DividesExactly) { EXPECT_EQ(even(9, {0, 0, 0}), (Sizes{3, 3, 3})); }
TEST(SplitByWeight, RemainderGoesToTheLowestIndexOnTies) { EXPECT_EQ(even(10, {0, 0, 0}), (Sizes{4, 3, 3})); }
TEST(SplitByWeight, RemainderGoesToThoseHoldingMost) {
    // Backend 2 already holds 4: it keeps the extra one, so nothing is closed there.
    EXPECT_EQ(even(10, {3, 3, 4}), (Sizes{3, 3, 4}));
    EXPECT_EQ(even(5, {0, 5}), (Sizes{2, 3}));
}
TEST(SplitByWeight, FewerConnectionsThanBackends) { EXPECT_EQ(even(2, {0, 1, 0, 1}), (Sizes{0, 1, 0, 1})); }

TEST(SplitByWeight, EqualWeightsAlwaysSumToTotalAndDifferByAtMostOne) {
    for (std::size_t n = 1; n <= 12; ++n) {
        for (std::size_t total = 0; total <= 40; ++total) {
            Sizes current(n);
            for (std::size_t i = 0; i < n; ++i) current[i] = (i * 7 + total) % 5;
            const Sizes t = even(total, current);
            ASSERT_EQ(sum(t), total);
            auto [lo, hi] = std::minmax_element(t.begin(), t.end());
            ASSERT_LE(*hi - *lo, 1u) << "n=" << n << " total=" << total;
        }
    }
}

// ---------------------------------------------------------------- weights

struct WeightCase {
    const char* what;
    std::size_t total;
    Weights weights;
    Sizes expected;
};

std::ostream& operator<<(std::ostream& out, const WeightCase& c) { return out << c.what; }

class WeightTable : public ::testing::TestWithParam<WeightCase> {};

TEST_P(WeightTable, LargestRemainderTiesByKey) {
    const WeightCase& c = GetParam();
    EXPECT_EQ(split_by_weight(c.total, c.weights, {}, 0), c.expected) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Spread, WeightTable,
    ::testing::Values(WeightCase{"3:1", 8, {3, 1}, {6, 2}},
                      WeightCase{"3:1 with a remainder (7*3/4 = 5.25, 7/4 = 1.75)", 7, {3, 1}, {5, 2}},
                      WeightCase{"weight 0 gets nothing while others have weight", 10, {0, 1, 1}, {0, 5, 5}},
                      WeightCase{"all weights 0: even", 10, {0, 0, 0}, {4, 3, 3}},
                      WeightCase{"65535 against 1", 10, {65535, 1}, {10, 0}},
                      WeightCase{"65535 against 1, a million connections", 1'000'000, {65535, 1}, {999'985, 15}},
                      WeightCase{"weight 1 against 65535 beside equal pair", 4, {1, 65535, 65535}, {0, 2, 2}},
                      WeightCase{"equal remainders: lower key first", 3, {1, 1, 1, 1}, {1, 1, 1, 0}},
                      WeightCase{"no connections", 0, {5, 1}, {0, 0}}),
    [](const auto& param) { return std::to_string(param.index); });

TEST(SplitByWeight, RotationGivesEveryBackendItsTurnWhenThereAreFewerConnections) {
    // 3 connections over 10 backends of equal weight: each rotation step
    // moves the +1s on, and over 10 steps every backend holds one 3 times.
    std::map<std::size_t, std::size_t> turns;
    for (std::size_t r = 0; r < 10; ++r) {
        const Sizes t = split_by_weight(3, Weights(10, 1), {}, r);
        ASSERT_EQ(sum(t), 3u);
        for (std::size_t i = 0; i < t.size(); ++i) turns[i] += t[i];
    }
    for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(turns[i], 3u) << "backend " << i;
}

// ---------------------------------------------------------------- plan_targets

struct PlanCase {
    const char* what;
    std::size_t size;
    std::vector<SpreadInput> backends;
    Sizes expected;
};

std::ostream& operator<<(std::ostream& out, const PlanCase& c) { return out << c.what; }

class PlanTable : public ::testing::TestWithParam<PlanCase> {};

TEST_P(PlanTable, Targets) {
    const PlanCase& c = GetParam();
    EXPECT_EQ(plan_targets(c.size, c.backends, 0, true), c.expected) << c.what;
}

constexpr BackendState kOn = BackendState::Online;
constexpr BackendState kNew = BackendState::Connecting;
constexpr BackendState kFailing = BackendState::Failing;
constexpr BackendState kDead = BackendState::Dead;
constexpr BackendState kEjected = BackendState::Ejected;

INSTANTIATE_TEST_SUITE_P(
    Spread, PlanTable,
    ::testing::Values(
        PlanCase{"default priority and weight: even", 10, {{kOn, 0, 0, 0, 1}, {kOn, 0, 0, 0, 1}, {kNew, 0, 0, 0, 1}},
                 {4, 3, 3}},
        PlanCase{"only the preferred priority gets any",
                 6,
                 {{kOn, 0, 0, 10, 1}, {kOn, 0, 0, 0, 1}, {kOn, 0, 0, 0, 1}},
                 {0, 3, 3}},
        PlanCase{"a whole priority dead: its share moves to the next",
                 6,
                 {{kDead, 0, 0, 0, 1}, {kDead, 0, 0, 0, 1}, {kOn, 0, 0, 1, 1}, {kOn, 0, 0, 2, 1}},
                 {0, 0, 6, 0}},
        PlanCase{"ejected counts as unusable too",
                 6,
                 {{kEjected, 0, 0, 0, 1}, {kOn, 0, 0, 1, 1}},
                 {0, 6}},
        PlanCase{"weights within the tier", 8, {{kOn, 0, 0, 0, 3}, {kOn, 0, 0, 0, 1}, {kOn, 0, 0, 5, 9}}, {6, 2, 0}},
        PlanCase{"a failing backend keeps what it holds, gets nothing new",
                 6,
                 {{kFailing, 1, 2, 0, 1}, {kOn, 2, 2, 0, 1}, {kOn, 2, 2, 0, 1}},
                 {1, 3, 2}},
        PlanCase{"a failing backend keeps no more than its share",
                 6,
                 {{kFailing, 5, 5, 0, 1}, {kOn, 1, 1, 0, 1}, {kOn, 0, 0, 0, 1}},
                 {2, 2, 2}},
        PlanCase{"all failing: all share as usual", 6, {{kFailing, 0, 0, 0, 1}, {kFailing, 0, 0, 0, 1}}, {3, 3}},
        PlanCase{"a failing priority is still usable (until dead)",
                 4,
                 {{kFailing, 0, 0, 0, 1}, {kOn, 0, 0, 1, 1}},
                 {4, 0}},
        PlanCase{"nothing usable", 4, {{kDead, 0, 0, 0, 1}, {kEjected, 0, 0, 0, 1}}, {0, 0}},
        PlanCase{"more backends than connections", 2, {{kOn, 0, 0, 0, 1}, {kOn, 0, 1, 0, 1}, {kOn, 0, 0, 0, 1}},
                 {1, 1, 0}}),
    [](const auto& param) { return std::to_string(param.index); });

TEST(PlanTargets, NeverMoreThanTheSizeAndNothingForUnusable) {
    for (std::size_t size = 0; size <= 30; ++size) {
        for (unsigned mask = 0; mask < 81; ++mask) {  // 4 backends, 3 states each
            std::vector<SpreadInput> in;
            unsigned m = mask;
            for (int i = 0; i < 4; ++i) {
                const BackendState s = m % 3 == 0 ? kOn : m % 3 == 1 ? kFailing : kDead;
                in.push_back({s, static_cast<std::size_t>(i), static_cast<std::size_t>(i),
                              static_cast<std::uint16_t>(i % 2), static_cast<std::uint16_t>(i + 1)});
                m /= 3;
            }
            const Sizes t = plan_targets(size, in, 0, true);
            ASSERT_LE(sum(t), size);
            for (std::size_t i = 0; i < in.size(); ++i) {
                if (in[i].state == kDead) {
                    ASSERT_EQ(t[i], 0u);
                }
            }
        }
    }
}

}  // namespace
}  // namespace cueball::detail
