// The client side of the echo protocol, for tests, examples and benchmarks:
// send some bytes on a TcpConnection and wait, with a deadline, for the same
// bytes to come back.
#pragma once

#include <cueball/connections/tcp.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace cueball::testing {

/// Writes `message` and reads back as many bytes, running the connection's
/// io_context for at most `timeout`. Returns what came back (which the caller
/// compares with `message`).
/// @throws boost::system::system_error if the connection fails, and
/// std::runtime_error if the echo does not arrive in time. After either, the
/// connection is in an unknown state: discard it.
std::string echo_round_trip(TcpConnection& connection, std::string_view message,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace cueball::testing
