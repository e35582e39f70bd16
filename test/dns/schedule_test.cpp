// When the resolver asks again: the TTL clamp and the failure back-off.
#include "schedule.hpp"

#include <gtest/gtest.h>

namespace cueball::dns {
namespace {

using std::chrono::milliseconds;

// What the refresher waits after `failures` failed rounds in a row.
milliseconds retry_delay(std::uint64_t failures, milliseconds min_ttl, milliseconds max_ttl, double u) {
    return detail::backoff_delay(failures, retry_policy(min_ttl, max_ttl), u);
}

TEST(ClampTtl, KeepsTtlsInsideTheRange) {
    const milliseconds min{1'000}, max{300'000};
    EXPECT_EQ(clamp_ttl(60, min, max), milliseconds(60'000));
    EXPECT_EQ(clamp_ttl(1, min, max), milliseconds(1'000));
    EXPECT_EQ(clamp_ttl(300, min, max), milliseconds(300'000));
}

TEST(ClampTtl, ZeroTtlDoesNotCauseChurn) {
    EXPECT_EQ(clamp_ttl(0, milliseconds(200), milliseconds(5'000)), milliseconds(200));
}

TEST(ClampTtl, HugeTtlIsCapped) {
    EXPECT_EQ(clamp_ttl(0x7fffffffu, milliseconds(1'000), milliseconds(300'000)), milliseconds(300'000));
    EXPECT_EQ(clamp_ttl(0xffffffffu, milliseconds(1'000), milliseconds(300'000)), milliseconds(300'000));
}

TEST(RetryDelay, GrowsFromMinTtlToMaxTtl) {
    const milliseconds min{100}, max{1'000};
    EXPECT_EQ(retry_delay(1, min, max, 0.0), milliseconds(100));
    EXPECT_EQ(retry_delay(2, min, max, 0.0), milliseconds(200));
    EXPECT_EQ(retry_delay(3, min, max, 0.0), milliseconds(400));
    EXPECT_EQ(retry_delay(4, min, max, 0.0), milliseconds(800));
    EXPECT_EQ(retry_delay(5, min, max, 0.0), milliseconds(1'000));
    EXPECT_EQ(retry_delay(1'000'000, min, max, 0.0), milliseconds(1'000));
}

TEST(RetryDelay, JitterTakesOffUpToAQuarter) {
    const milliseconds min{100}, max{1'000};
    EXPECT_EQ(retry_delay(4, min, max, 0.5), milliseconds(700));
    EXPECT_GE(retry_delay(4, min, max, 0.999), milliseconds(600));
    for (double u : {0.0, 0.1, 0.5, 0.9, 0.999}) {
        const milliseconds d = retry_delay(3, min, max, u);
        EXPECT_LE(d, milliseconds(400));
        EXPECT_GE(d, milliseconds(300));
    }
}

TEST(RetryDelay, NeverOverflowsNorReachesZero) {
    const milliseconds huge = milliseconds::max();
    EXPECT_GT(retry_delay(~std::uint64_t{0}, milliseconds(1), huge, 0.0), milliseconds(0));
    EXPECT_LE(retry_delay(~std::uint64_t{0}, milliseconds(1), huge, 0.0), huge);
    EXPECT_GE(retry_delay(1, milliseconds(1), milliseconds(1), 0.999), milliseconds(1));
}

}  // namespace
}  // namespace cueball::dns
