#include "stats_fixture_process.hpp"

#include "http_client.hpp"

#include "support/eventually.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace cueball::test {

std::string read_log(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

StatsFixtureProcess::StatsFixtureProcess(const TempDir& dir, int backends) {
    const std::string log = dir.path() + "/fixture.log";
    // --seconds bounds a fixture its test lost.
    child_ = std::make_unique<ChildProcess>(std::vector<std::string>{CUEBALL_STATS_SERVER_FIXTURE, "--seconds", "120",
                                                                     "--backends", std::to_string(backends)},
                                            log);
    const std::regex line(R"(port (\d+)\n)");
    EXPECT_TRUE(eventually([&] {
        std::smatch m;
        const std::string text = read_log(log);
        if (!std::regex_search(text, m, line)) return false;
        port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
        return true;
    })) << read_log(log);
    if (port_ == 0) return;
    EXPECT_TRUE(eventually([&] {
        try {
            const auto pools = nlohmann::json::parse(http_request(port_, "GET", "/stats").body);
            int online = 0, failing = 0;
            for (const auto& b : pools.at(0).at("backends")) {
                online += b.at("state") == "online";
                failing += b.at("state") == "failing" || b.at("state") == "dead";
            }
            return online == backends - 1 && failing == 1;
        } catch (const std::exception&) {
            return false;
        }
    }));
}

}  // namespace cueball::test
