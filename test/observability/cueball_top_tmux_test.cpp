// cueball-top as a person sees it: run in a detached tmux session of a fixed
// size against a real pool's StatsServer, driven with send-keys and read
// back with capture-pane. Every check polls the screen until a deadline.
// Skipped where tmux is not installed.
#include "stats_fixture_process.hpp"

#include "support/eventually.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace cueball::test {
namespace {

constexpr int kWidth = 100;
constexpr int kHeight = 20;

// A tmux server of its own, on a private socket in the test's directory
// (-S: removed with the directory, where -L would leave it in /tmp/tmux-UID),
// so that nothing is shared with other tests or a person's tmux; the
// destructor kills it and with it whatever runs in it.
class Tmux {
public:
    explicit Tmux(const TempDir& dir) : dir_(dir) {}
    ~Tmux() { tmux({"kill-server"}); }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    // Runs `command` in a new detached session of kWidth x kHeight.
    bool start(const std::vector<std::string>& command) {
        std::vector<std::string> args{"new-session", "-d", "-s", "top", "-x", std::to_string(kWidth),
                                      "-y",          std::to_string(kHeight)};
        args.insert(args.end(), command.begin(), command.end());
        return tmux(args) == 0;
    }
    // Each of `keys` as tmux names it: "Up", "NPage", "End", "Escape", "s".
    void keys(const std::vector<std::string>& keys) {
        std::vector<std::string> args{"send-keys", "-t", "top"};
        args.insert(args.end(), keys.begin(), keys.end());
        EXPECT_EQ(tmux(args), 0);
    }
    // Text typed as it is (send-keys -l), not looked up as key names.
    void type(const std::string& text) { EXPECT_EQ(tmux({"send-keys", "-t", "top", "-l", text}), 0); }
    std::string screen() {
        tmux({"capture-pane", "-p", "-t", "top"});
        return read_log(log_);
    }
    bool running() { return tmux({"has-session", "-t", "top"}) == 0; }

    // Polls the screen until `pattern` is on it, or the liveness deadline
    // passes (then the test fails with the last screen).
    std::string wait_for(const std::string& pattern) {
        const std::regex re(pattern);
        std::string last;
        const auto deadline = std::chrono::steady_clock::now() + kLiveness;
        while (std::chrono::steady_clock::now() < deadline) {
            last = screen();
            if (std::regex_search(last, re)) return last;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "not on the screen: " << pattern << "\n" << last;
        return last;
    }

private:
    int tmux(std::vector<std::string> args) {
        args.insert(args.begin(), {"tmux", "-S", socket_});
        // run_program appends: each command's output on its own.
        std::ofstream(log_, std::ios::trunc).close();
        return run_program(args, log_);
    }

    const TempDir& dir_;
    std::string socket_ = dir_.path() + "/tmux.socket";
    std::string log_ = dir_.path() + "/tmux.log";
};

// Line `n` (from 0) of a captured screen.
std::string line(const std::string& screen, std::size_t n) {
    std::size_t begin = 0;
    for (std::size_t i = 0; i < n && begin != std::string::npos; ++i) {
        begin = screen.find('\n', begin);
        if (begin != std::string::npos) ++begin;
    }
    if (begin == std::string::npos) return {};
    return screen.substr(begin, screen.find('\n', begin) - begin);
}

class CueballTopTmuxTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (find_program("tmux").empty()) GTEST_SKIP() << "tmux is not installed";
    }
    TempDir dir{"cueball-top-tmux"};
};

TEST_F(CueballTopTmuxTest, SortScrollFilterHelpAndQuit) {
    // 40 backends: more than the 15 rows a 20-line terminal has room for.
    StatsFixtureProcess fixture(dir, 40);
    ASSERT_NE(fixture.port(), 0);
    Tmux tmux(dir);
    // timeout bounds cueball-top should the test lose it.
    ASSERT_TRUE(tmux.start({"timeout", "120", CUEBALL_TOP, "--interval", "0.2", std::to_string(fixture.port())}));

    std::string s = tmux.wait_for(R"(-- 25 more below --)");
    EXPECT_EQ(line(s, 0).rfind("cueball-top  http://127.0.0.1:" + std::to_string(fixture.port()) + "/stats  sort key", 0),
              0u)
        << s;
    EXPECT_TRUE(std::regex_search(line(s, 1), std::regex(R"(^ +BACKEND +STATE +PRIO +WEIGHT .*EJECTS +EJECTED)"))) << s;
    EXPECT_EQ(line(s, 2).rfind("pool fixture running  backends 40", 0), 0u) << s;
    EXPECT_TRUE(std::regex_search(line(s, 3), std::regex(R"(^ +127\.0\.0\.1:10001 +online +0 +1 )"))) << s;
    EXPECT_EQ(line(s, kHeight - 1).rfind("q quit  ? help", 0), 0u) << s;

    // Scrolling: the summary stays, the marks say what is cut.
    tmux.keys({"End"});
    s = tmux.wait_for(R"(-- 25 more above --)");
    EXPECT_NE(s.find("127.0.0.1:10040 "), std::string::npos) << s;
    EXPECT_EQ(s.find("more below"), std::string::npos) << s;
    EXPECT_EQ(line(s, 2).rfind("pool fixture", 0), 0u) << s;
    tmux.keys({"Home"});
    s = tmux.wait_for(R"(-- 25 more below --)");
    EXPECT_EQ(s.find("more above"), std::string::npos) << s;
    tmux.keys({"NPage"});
    tmux.wait_for(R"(-- 14 more above --\n(.*\n){14} +-- 12 more below --)");
    tmux.keys({"Up"});
    tmux.wait_for(R"(-- 13 more above --)");
    tmux.keys({"PPage"});
    tmux.wait_for(R"(\n +127\.0\.0\.1:10001 )");

    // Sorted by state, worst first: the refusing backend heads the list.
    tmux.keys({"s"});
    s = tmux.wait_for(R"(sort state)");
    s = tmux.wait_for(R"(\n +127\.0\.0\.1:10003 +(failing|dead) )");
    EXPECT_TRUE(std::regex_search(line(s, 3), std::regex(R"(^ +127\.0\.0\.1:10003 )"))) << s;
    tmux.keys({"r"});
    tmux.wait_for(R"(sort state reversed)");
    tmux.keys({"S", "r"});
    tmux.wait_for(R"(sort key\s)");

    // The filter applies while it is typed, and stays after Enter.
    tmux.keys({"/"});
    tmux.type("10003");
    s = tmux.wait_for(R"(filter: 10003_)");
    s = tmux.wait_for(R"(backends 40 \(1 match\))");
    tmux.keys({"Enter"});
    s = tmux.wait_for(R"(sort key  filter '10003')");
    EXPECT_EQ(s.find("127.0.0.1:10001"), std::string::npos) << s;
    EXPECT_NE(s.find("127.0.0.1:10003"), std::string::npos) << s;
    tmux.keys({"Escape"});
    tmux.wait_for(R"(-- 25 more below --)");

    // Help, closed by any key.
    tmux.keys({"?"});
    s = tmux.wait_for(R"(any key closes the help)");
    EXPECT_NE(s.find("Tab Shift-Tab"), std::string::npos) << s;
    tmux.keys({"x"});
    tmux.wait_for(R"(q quit  \? help)");

    tmux.keys({"q"});
    EXPECT_TRUE(eventually([&] { return !tmux.running(); }));
}

TEST_F(CueballTopTmuxTest, TwoEndpointsEachWithItsSummary) {
    StatsFixtureProcess one(dir, 30);
    TempDir other_dir{"cueball-top-tmux"};
    StatsFixtureProcess two(other_dir, 3);
    ASSERT_NE(one.port(), 0);
    ASSERT_NE(two.port(), 0);
    Tmux tmux(dir);
    ASSERT_TRUE(tmux.start({"timeout", "120", CUEBALL_TOP, "--interval=0.2", "--port", std::to_string(one.port()),
                            "--port=" + std::to_string(two.port())}));
    const std::string a = "pool fixture @ 127.0.0.1:" + std::to_string(one.port());
    const std::string b = "pool fixture @ 127.0.0.1:" + std::to_string(two.port());
    std::string s = tmux.wait_for("> " + a + " running  backends 30");
    EXPECT_NE(s.find("  " + b + " running  backends 3"), std::string::npos) << s;
    // 17 lines below the column names: two summaries, the small pool's 3
    // rows, 12 for the big one (11 rows and a mark).
    EXPECT_NE(s.find("-- 19 more below --"), std::string::npos) << s;

    // Tab moves the focus; End then scrolls the second pool, which has no
    // more to show, and leaves the first where it was.
    tmux.keys({"Tab", "End"});
    s = tmux.wait_for("> " + b);
    EXPECT_NE(s.find("-- 19 more below --"), std::string::npos) << s;
    tmux.keys({"BTab", "End"});
    s = tmux.wait_for(R"(-- 19 more above --)");
    tmux.keys({"q"});
    EXPECT_TRUE(eventually([&] { return !tmux.running(); }));
}

}  // namespace
}  // namespace cueball::test
