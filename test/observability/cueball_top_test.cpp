// cueball-top --once against a separate process that serves its pool's
// statistics, and its errors for an unreachable endpoint or a bad command
// line. The interactive view is tested in cueball_top_tmux_test.cpp.
#include "stats_fixture_process.hpp"

#include "support/ports.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace cueball::test {
namespace {

struct TopRun {
    int status;
    std::string output;
};

TopRun run_top(const TempDir& dir, const std::vector<std::string>& args) {
    static int runs = 0;
    const std::string log = dir.path() + "/top-" + std::to_string(++runs) + ".log";
    std::vector<std::string> argv{CUEBALL_TOP};
    argv.insert(argv.end(), args.begin(), args.end());
    const int status = run_program(argv, log);
    return {status, read_log(log)};
}

class CueballTopTest : public ::testing::Test {
protected:
    TempDir dir{"cueball-top-test"};

    // Starts the fixture: two backends online, one failing (or already
    // dead, after enough failures).
    std::uint16_t start_fixture() {
        fixture_ = std::make_unique<StatsFixtureProcess>(dir);
        return fixture_->port();
    }

    std::unique_ptr<StatsFixtureProcess> fixture_;
};

TEST_F(CueballTopTest, OnceListsEveryBackendWithItsState) {
    const std::uint16_t port = start_fixture();
    const TopRun run = run_top(dir, {"--once", "--port", std::to_string(port)});
    ASSERT_EQ(run.status, 0) << run.output;
    const std::string& out = run.output;
    EXPECT_NE(out.find("pool fixture"), std::string::npos) << out;
    EXPECT_NE(out.find("BACKEND"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(127\.0\.0\.1:10001 +online)"))) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(127\.0\.0\.1:10002 +online)"))) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(127\.0\.0\.1:10003 +(failing|dead) .*connection refused \(fixture\))")))
        << out;
    // Two samples a second apart: the pool's claims/s is a number.
    EXPECT_TRUE(std::regex_search(out, std::regex(R"(claims/s [0-9]+\.[0-9])"))) << out;
}

TEST_F(CueballTopTest, OnceWithAnUnknownPoolSaysSoAndFails) {
    const std::uint16_t port = start_fixture();
    const TopRun run = run_top(dir, {"--once", "--port", std::to_string(port), "--pool", "nosuch"});
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("no pool named 'nosuch'"), std::string::npos) << run.output;
    const TopRun named = run_top(dir, {"--once", "--port", std::to_string(port), "--pool", "fixture"});
    EXPECT_EQ(named.status, 0) << named.output;
}

TEST_F(CueballTopTest, UnreachableEndpointIsAClearErrorAndExit1) {
    const std::uint16_t port = free_tcp_port();
    const TopRun run = run_top(dir, {"--once", "--port", std::to_string(port)});
    EXPECT_EQ(run.status, 1) << run.output;
    EXPECT_NE(run.output.find("cannot read http://127.0.0.1:" + std::to_string(port) + "/stats"), std::string::npos)
        << run.output;
}

TEST_F(CueballTopTest, HelpExits0AndListsTheFlags) {
    const TopRun run = run_top(dir, {"--help"});
    EXPECT_EQ(run.status, 0) << run.output;
    for (const char* flag : {"--port", "--host", "--pool", "--once", "--interval", "--sort", "--filter", "ENDPOINT"}) {
        EXPECT_NE(run.output.find(flag), std::string::npos) << flag << "\n" << run.output;
    }
}

TEST_F(CueballTopTest, BadCommandLineIsExit2NamingTheFlag) {
    struct Case {
        std::vector<std::string> args;
        std::string named;
    };
    const Case cases[] = {
        {{"--once"}, "no endpoint"},
        {{"--port", "0"}, "--port: expected a port from 1 to 65535, got '0'"},
        {{"--port=x"}, "--port: expected a port from 1 to 65535, got 'x'"},
        {{"--port"}, "--port"},
        {{"--frobnicate", "--port", "1"}, "--frobnicate"},
        {{"--port", "1", "--sort=fast"}, "--sort"},
        {{"--port", "1", "--interval", "100"}, "--interval"},
    };
    for (const Case& c : cases) {
        const TopRun run = run_top(dir, c.args);
        EXPECT_EQ(run.status, 2) << run.output;
        EXPECT_NE(run.output.find("cueball-top: "), std::string::npos) << run.output;
        EXPECT_NE(run.output.find(c.named), std::string::npos) << run.output;
    }
}

TEST_F(CueballTopTest, OnceWithTwoEndpointsNamesEach) {
    const std::uint16_t port = start_fixture();
    const std::string p = std::to_string(port);
    const TopRun run = run_top(dir, {"--once", "--interval=0.2", "--sort", "state", p, "localhost:" + p});
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("cueball-top  2 endpoints  sort state"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("pool fixture @ 127.0.0.1:" + p + " "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("pool fixture @ localhost:" + p + " "), std::string::npos) << run.output;
    // Sorted by state, worst first: the refusing backend heads each pool.
    EXPECT_TRUE(std::regex_search(
        run.output, std::regex(R"(pool fixture @ 127\.0\.0\.1:\d+ [^\n]*\n +127\.0\.0\.1:10003 +(failing|dead))")))
        << run.output;
}

}  // namespace
}  // namespace cueball::test
