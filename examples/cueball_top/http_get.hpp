// A minimal HTTP/1.1 GET for cueball-top: one request per connection, with
// one deadline over resolving, connecting, sending and reading.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace top {

/// The endpoint could not be reached or did not answer 200; what() says why.
struct FetchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The body of a 200 answer to GET http://host:port/target, of at most 64 MiB.
/// @throws FetchError.
std::string http_get(const std::string& host, std::uint16_t port, const std::string& target,
                     std::chrono::milliseconds timeout);

}  // namespace top
