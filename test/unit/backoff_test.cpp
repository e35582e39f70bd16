#include <cueball/detail/backoff.hpp>

#include <gtest/gtest.h>

using cueball::detail::backoff_delay;
using cueball::detail::BackoffPolicy;
using std::chrono::milliseconds;

TEST(Backoff, GrowsGeometricallyWithoutJitter) {
    BackoffPolicy p{milliseconds(100), milliseconds(10'000), 2.0, 0.0};
    EXPECT_EQ(backoff_delay(1, p, 0.5), milliseconds(100));
    EXPECT_EQ(backoff_delay(2, p, 0.5), milliseconds(200));
    EXPECT_EQ(backoff_delay(3, p, 0.5), milliseconds(400));
    EXPECT_EQ(backoff_delay(7, p, 0.5), milliseconds(6'400));
}

TEST(Backoff, ClampsAtMaxEvenForHugeFailureCounts) {
    BackoffPolicy p{milliseconds(100), milliseconds(10'000), 2.0, 0.0};
    EXPECT_EQ(backoff_delay(8, p, 0.0), milliseconds(10'000));
    EXPECT_EQ(backoff_delay(100'000, p, 0.0), milliseconds(10'000));
    EXPECT_EQ(backoff_delay(UINT64_MAX, p, 0.0), milliseconds(10'000));
}

TEST(Backoff, JitterTakesOffUpToItsFraction) {
    BackoffPolicy p{milliseconds(1'000), milliseconds(1'000), 2.0, 0.25};
    EXPECT_EQ(backoff_delay(1, p, 0.0), milliseconds(1'000));
    EXPECT_EQ(backoff_delay(1, p, 1.0), milliseconds(750));
    EXPECT_EQ(backoff_delay(1, p, 0.5), milliseconds(875));
}

TEST(Backoff, NeverZeroSoThereIsNoHotLoop) {
    BackoffPolicy p{milliseconds(1), milliseconds(1), 1.0, 1.0};
    EXPECT_GE(backoff_delay(1, p, 1.0), milliseconds(1));
}
