// cueball-top --once against a separate process that serves its pool's
// statistics, and its errors for an unreachable endpoint or a bad command
// line.
#include "http_client.hpp"

#include "support/eventually.hpp"
#include "support/ports.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

namespace cueball::test {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

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
    return {status, read_file(log)};
}

class CueballTopTest : public ::testing::Test {
protected:
    TempDir dir{"cueball-top-test"};

    // Starts the fixture and waits until its pool shows the states the
    // tests look for: two backends online, one failing (or already dead,
    // after enough failures).
    std::uint16_t start_fixture() {
        const std::string log = dir.path() + "/fixture.log";
        fixture_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{CUEBALL_STATS_SERVER_FIXTURE, "--seconds", "120"}, log);
        std::uint16_t port = 0;
        const std::regex line(R"(port (\d+)\n)");
        EXPECT_TRUE(eventually([&] {
            std::smatch m;
            const std::string text = read_file(log);
            if (!std::regex_search(text, m, line)) return false;
            port = static_cast<std::uint16_t>(std::stoi(m[1]));
            return true;
        })) << read_file(log);
        EXPECT_TRUE(eventually([&] {
            try {
                const auto pools = nlohmann::json::parse(http_request(port, "GET", "/stats").body);
                int online = 0, failing = 0;
                for (const auto& b : pools.at(0).at("backends")) {
                    online += b.at("state") == "online";
                    failing += b.at("state") == "failing" || b.at("state") == "dead";
                }
                return online == 2 && failing == 1;
            } catch (const std::exception&) {
                return false;
            }
        }));
        return port;
    }

    std::unique_ptr<ChildProcess> fixture_;
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

TEST_F(CueballTopTest, BadCommandLineIsExit2WithUsage) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--once"}, {"--port", "0"}, {"--port", "x"}, {"--port"}, {"--frobnicate"}}) {
        const TopRun run = run_top(dir, args);
        EXPECT_EQ(run.status, 2) << run.output;
        EXPECT_NE(run.output.find("usage: cueball-top"), std::string::npos) << run.output;
    }
}

}  // namespace
}  // namespace cueball::test
