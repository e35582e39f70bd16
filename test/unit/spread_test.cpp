#include "spread.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

using cueball::detail::spread_evenly;

namespace {

std::size_t sum(const std::vector<std::size_t>& v) { return std::accumulate(v.begin(), v.end(), std::size_t{0}); }

}  // namespace

TEST(Spread, NoBackendsGetsNothing) { EXPECT_TRUE(spread_evenly(10, {}).empty()); }

TEST(Spread, DividesExactly) { EXPECT_EQ(spread_evenly(9, {0, 0, 0}), (std::vector<std::size_t>{3, 3, 3})); }

TEST(Spread, RemainderGoesToTheLowestIndexOnTies) {
    EXPECT_EQ(spread_evenly(10, {0, 0, 0}), (std::vector<std::size_t>{4, 3, 3}));
}

TEST(Spread, RemainderGoesToThoseHoldingMost) {
    // Backend 2 already holds 4: it keeps the extra one, so nothing is closed there.
    EXPECT_EQ(spread_evenly(10, {3, 3, 4}), (std::vector<std::size_t>{3, 3, 4}));
    EXPECT_EQ(spread_evenly(5, {0, 5}), (std::vector<std::size_t>{2, 3}));
}

TEST(Spread, FewerConnectionsThanBackends) {
    EXPECT_EQ(spread_evenly(2, {0, 1, 0, 1}), (std::vector<std::size_t>{0, 1, 0, 1}));
}

TEST(Spread, AlwaysSumsToTotalAndDiffersByAtMostOne) {
    for (std::size_t n = 1; n <= 12; ++n) {
        for (std::size_t total = 0; total <= 40; ++total) {
            std::vector<std::size_t> current(n);
            for (std::size_t i = 0; i < n; ++i) current[i] = (i * 7 + total) % 5;
            auto t = spread_evenly(total, current);
            ASSERT_EQ(sum(t), total);
            auto [lo, hi] = std::minmax_element(t.begin(), t.end());
            ASSERT_LE(*hi - *lo, 1u) << "n=" << n << " total=" << total;
        }
    }
}
