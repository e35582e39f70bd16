// Loopback ports for tests' servers.
#pragma once

#include <cstdint>

namespace cueball::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and
// closed). For servers that must be told a port up front (dnsmasq, postgres);
// servers in the test process bind port 0 themselves instead.
std::uint16_t free_tcp_port();
// The same for a port free for both UDP and TCP (DNS).
std::uint16_t free_udp_tcp_port();

}  // namespace cueball::test
