// The diff that turns one resolution into BackendAdded / BackendRemoved.
#include "backend_set.hpp"

#include <gtest/gtest.h>

namespace cueball::dns {
namespace {

BackendSet set_of(std::initializer_list<Backend> backends) {
    BackendSet set;
    for (const Backend& b : backends) insert_backend(set, b);
    return set;
}

std::vector<std::string> describe(const std::vector<ResolverEvent>& events) {
    std::vector<std::string> out;
    for (const ResolverEvent& e : events) {
        if (const auto* added = std::get_if<BackendAdded>(&e)) {
            out.push_back("+" + added->key);
        } else {
            out.push_back("-" + std::get<BackendRemoved>(e).key);
        }
    }
    return out;
}

const Backend a4{"127.0.0.1", 7001, "a.test.com"};
const Backend a6{"::1", 7001, "a.test.com"};
const Backend b4{"127.0.0.1", 7002, "b.test.com"};

TEST(DiffBackends, NothingChangedNothingReported) {
    EXPECT_TRUE(diff_backends({}, {}).empty());
    EXPECT_TRUE(diff_backends(set_of({a4, a6}), set_of({a6, a4})).empty());
}

TEST(DiffBackends, ReportsAdditionsAndRemovalsOnly) {
    const auto events = diff_backends(set_of({a4, a6}), set_of({a6, b4}));
    EXPECT_EQ(describe(events), (std::vector<std::string>{"-127.0.0.1:7001", "+127.0.0.1:7002"}));
    const auto* added = std::get_if<BackendAdded>(&events[1]);
    ASSERT_NE(added, nullptr);
    EXPECT_EQ(added->backend, b4);
}

TEST(DiffBackends, FromAndToEmpty) {
    EXPECT_EQ(describe(diff_backends({}, set_of({a4, a6}))),
              (std::vector<std::string>{"+127.0.0.1:7001", "+[::1]:7001"}));
    EXPECT_EQ(describe(diff_backends(set_of({a4, a6}), {})),
              (std::vector<std::string>{"-127.0.0.1:7001", "-[::1]:7001"}));
}

TEST(DiffBackends, ALabelChangeAloneIsNotAnEvent) {
    const Backend renamed{"127.0.0.1", 7001, "other.test.com"};
    EXPECT_TRUE(diff_backends(set_of({a4}), set_of({renamed})).empty());
}

TEST(DiffBackends, ANewPriorityOrWeightIsAnAddedForTheKnownKey) {
    const Backend heavier{"127.0.0.1", 7001, "a.test.com", 0, 5};
    const Backend demoted{"127.0.0.1", 7001, "a.test.com", 1, 1};
    EXPECT_EQ(describe(diff_backends(set_of({a4, b4}), set_of({heavier, b4}))),
              (std::vector<std::string>{"+127.0.0.1:7001"}));
    const auto events = diff_backends(set_of({a4}), set_of({demoted}));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::get<BackendAdded>(events[0]).backend.priority, 1);
}

TEST(InsertBackend, TheMorePreferredRecordForOneAddressStaysInAnyOrder) {
    const Backend low{"127.0.0.1", 7001, "x.test.com", 0, 1};
    const Backend high{"127.0.0.1", 7001, "y.test.com", 2, 9};
    const Backend heavy{"127.0.0.1", 7001, "z.test.com", 0, 7};
    for (const auto& order : {std::vector{low, high, heavy}, std::vector{heavy, high, low}, std::vector{high, low, heavy}}) {
        BackendSet set;
        for (const Backend& b : order) insert_backend(set, b);
        ASSERT_EQ(set.size(), 1u);
        EXPECT_EQ(set.begin()->second, heavy);
    }
}

TEST(InsertBackend, DuplicateRecordsGiveOneBackend) {
    const BackendSet set = set_of({a4, a4, Backend{"127.0.0.1", 7001, "alias.test.com"}});
    ASSERT_EQ(set.size(), 1u);
    EXPECT_EQ(set.begin()->second, a4);
}

}  // namespace
}  // namespace cueball::dns
