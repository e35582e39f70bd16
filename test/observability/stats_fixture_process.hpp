// stats_server_fixture run for a test: started, and waited for until its pool
// shows what cueball-top's tests look for. Killed with the object.
#pragma once

#include "support/process.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace cueball::test {

/// All of a log a program run for a test wrote; empty if there is none yet.
std::string read_log(const std::string& path);

class StatsFixtureProcess {
public:
    /// Starts the fixture with `backends` backends (3 to 1000), logging into
    /// `dir`, and waits (with a deadline; a test failure if it passes) until
    /// every backend but 127.0.0.1:10003 is online and that one failing or
    /// dead.
    StatsFixtureProcess(const TempDir& dir, int backends = 3);

    /// Where its StatsServer listens on 127.0.0.1; 0 if it never said.
    std::uint16_t port() const { return port_; }

private:
    std::unique_ptr<ChildProcess> child_;
    std::uint16_t port_ = 0;
};

}  // namespace cueball::test
