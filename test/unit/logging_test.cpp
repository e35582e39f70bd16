// The pool logs through the user's spdlog logger, is quiet by default, and
// logs nothing per claim.
#include "pool_fixture.hpp"

#include <cueball/detail/logging.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

namespace cueball::test {
namespace {

TEST(Logging, DefaultLoggerIsQuiet) {
    auto logger = detail::quiet_stderr_logger("x");
    EXPECT_EQ(logger->level(), spdlog::level::warn);
}

TEST_F(PoolTest, LogsThroughTheGivenLoggerButNothingPerClaim) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10'000);
    auto logger = std::make_shared<spdlog::logger>("pool", sink);
    logger->set_level(spdlog::level::trace);
    auto backends = loopback_backends(2);
    world->set(backend_key(backends[1]), FakeBehaviour{.fail_connect = true});
    PoolOptions o = fast_options(2);
    o.logger = logger;
    o.backoff_initial = 10'000ms;
    o.backoff_max = 10'000ms;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return pool->stats().idle_connections == 2; }));
    auto lines = sink->last_formatted();
    bool warned = false;
    for (const auto& l : lines) warned = warned || l.find("backend 127.0.0.1:10002 failing") != std::string::npos;
    EXPECT_TRUE(warned);

    const std::size_t before = sink->last_formatted().size();
    for (int i = 0; i < 1000; ++i) pool->claim(kLiveness).release();
    EXPECT_EQ(sink->last_formatted().size(), before);
}

TEST_F(PoolTest, AConnectThatFailsBecauseThePoolStopsIsNotABackendFailure) {
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
    auto logger = std::make_shared<spdlog::logger>("pool", sink);
    logger->set_level(spdlog::level::trace);
    auto backends = loopback_backends(1);
    // Fails only once it has waited: as a connect that gives up on pool_stop_token() does.
    world->set(backend_key(backends[0]), FakeBehaviour{.connect_delay = 300ms, .fail_connect = true});
    PoolOptions o = fast_options(1);
    o.logger = logger;
    auto pool = make_pool(o, std::make_shared<StaticResolver>(backends));
    ASSERT_TRUE(eventually([&] { return world->connects_in_progress(backend_key(backends[0])) > 0; }));
    pool->stop();
    for (const auto& line : sink->last_formatted()) {
        EXPECT_EQ(line.find("failing"), std::string::npos) << line;
        EXPECT_EQ(line.find("[warning]"), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace cueball::test
