#include <cueball/cueball.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace cueball {
namespace {

struct Recorder {
    std::vector<ResolverEvent> events;
    ResolverSink sink() {
        return [this](ResolverEvent e) { events.push_back(std::move(e)); };
    }
};

TEST(BackendKey, BracketsIpv6Literals) {
    EXPECT_EQ(backend_key(Backend{"127.0.0.1", 5432, {}}), "127.0.0.1:5432");
    EXPECT_EQ(backend_key(Backend{"::1", 5432, {}}), "[::1]:5432");
    EXPECT_EQ(backend_key(Backend{"db.example.com", 5432, "label"}), "db.example.com:5432");
}

TEST(StaticResolver, DeliversInitialBackendsAtStartAndChangesAfter) {
    StaticResolver r({Backend{"127.0.0.1", 1, {}}});
    r.add(Backend{"::1", 2, {}});
    Recorder rec;
    r.start(rec.sink());
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(std::get<BackendAdded>(rec.events[0]).key, "127.0.0.1:1");
    EXPECT_EQ(std::get<BackendAdded>(rec.events[1]).key, "[::1]:2");
    r.remove(Backend{"127.0.0.1", 1, {}});
    ASSERT_EQ(rec.events.size(), 3u);
    EXPECT_EQ(std::get<BackendRemoved>(rec.events[2]).key, "127.0.0.1:1");
}

TEST(StaticResolver, IgnoresDuplicatesAndUnknownRemovals) {
    StaticResolver r;
    Recorder rec;
    r.start(rec.sink());
    r.add(Backend{"127.0.0.1", 1, {}});
    r.add(Backend{"127.0.0.1", 1, "other label"});
    r.remove(Backend{"127.0.0.1", 9, {}});
    EXPECT_EQ(rec.events.size(), 1u);
}

TEST(StaticResolver, AKnownBackendWithANewPriorityOrWeightIsPassedOnAsAnUpdate) {
    StaticResolver r;
    Recorder rec;
    r.start(rec.sink());
    r.add(Backend{"127.0.0.1", 1, "first"});
    r.add(Backend{"127.0.0.1", 1, "first", 0, 5});
    r.add(Backend{"127.0.0.1", 1, "first", 2, 5});
    r.add(Backend{"127.0.0.1", 1, "first", 2, 5});  // unchanged: ignored
    ASSERT_EQ(rec.events.size(), 3u);
    const Backend& last = std::get<BackendAdded>(rec.events[2]).backend;
    EXPECT_EQ(last.priority, 2);
    EXPECT_EQ(last.weight, 5);
    EXPECT_EQ(last.name, "first");
}

TEST(StaticResolver, RemovalsFromTheMiddleKeepTheRestFindable) {
    StaticResolver r;
    Recorder rec;
    r.start(rec.sink());
    for (std::uint16_t port = 1; port <= 5; ++port) r.add(Backend{"127.0.0.1", port, {}});
    r.remove(Backend{"127.0.0.1", 2, {}});  // the last one moves into its place
    r.remove(Backend{"127.0.0.1", 5, {}});
    r.remove(Backend{"127.0.0.1", 5, {}});  // now unknown: ignored
    r.add(Backend{"127.0.0.1", 4, {}});     // still known: ignored
    r.add(Backend{"127.0.0.1", 2, {}});     // known again
    ASSERT_EQ(rec.events.size(), 8u);
    EXPECT_EQ(std::get<BackendRemoved>(rec.events[5]).key, "127.0.0.1:2");
    EXPECT_EQ(std::get<BackendRemoved>(rec.events[6]).key, "127.0.0.1:5");
    EXPECT_EQ(std::get<BackendAdded>(rec.events[7]).key, "127.0.0.1:2");
}

TEST(StaticResolver, NothingAfterStop) {
    StaticResolver r;
    Recorder rec;
    r.start(rec.sink());
    r.stop();
    r.stop();
    r.add(Backend{"127.0.0.1", 1, {}});
    EXPECT_TRUE(rec.events.empty());
}

TEST(StaticResolver, RejectsBadBackendsAndBadStarts) {
    EXPECT_THROW(StaticResolver({Backend{"", 1, {}}}), InvalidArgument);
    EXPECT_THROW(StaticResolver({Backend{"127.0.0.1", 0, {}}}), InvalidArgument);
    StaticResolver r;
    EXPECT_THROW(r.add(Backend{"127.0.0.1", 0, {}}), InvalidArgument);
    EXPECT_THROW(r.start(nullptr), InvalidArgument);
    Recorder rec;
    r.start(rec.sink());
    EXPECT_THROW(r.start(rec.sink()), InvalidArgument);
}

}  // namespace
}  // namespace cueball
