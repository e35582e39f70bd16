// A dnsmasq for the resolver's tests: authoritative for test.com on
// 127.0.0.1 and a free port, with the given SRV and host records, no
// upstream, TTL 1 s, and every query logged (so tests can wait for the
// resolver to have asked again instead of sleeping).
#pragma once

#include "support/process.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cueball::dns::test {

struct Zone {
    std::vector<std::string> srv_hosts;     // --srv-host values: "_echo._tcp.test.com,a.test.com,7001"
    std::vector<std::string> host_records;  // --host-record values: "a.test.com,127.0.0.1,::1"
    std::vector<std::string> cnames;        // --cname values: "alias.test.com,a.test.com"
};

class Dnsmasq {
public:
    // The dnsmasq binary, or empty when it is not installed.
    static std::string binary();

    Dnsmasq();
    ~Dnsmasq();

    // Starts dnsmasq serving `zone` and waits until it accepts connections.
    // @throws std::runtime_error if it does not come up.
    void start(const Zone& zone);
    // Stops dnsmasq (SIGTERM); the port stays reserved for a restart.
    void stop();
    void restart(const Zone& zone) {
        stop();
        start(zone);
    }

    std::uint16_t port() const { return port_; }
    std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }
    // Queries for `name` logged since the start of the test, any type.
    int queries_for(const std::string& name) const;

private:
    cueball::test::TempDir dir_;
    std::uint16_t port_;
    std::string log_path_;
    std::unique_ptr<cueball::test::ChildProcess> child_;
};

}  // namespace cueball::dns::test
