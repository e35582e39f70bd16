// Command line of cueball-top, parsed into one struct, with a clear message
// for anything it does not accept.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace top {

struct Options {
    std::string host = "127.0.0.1";  ///< --host: where the StatsServer listens
    std::uint16_t port = 0;          ///< --port: required
    std::string pool;                ///< --pool: show only this pool; empty = all
    bool once = false;               ///< --once: print one frame as text and exit
};

extern const char* const kUsage;

/// Thrown for a bad command line; what() says what is wrong.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Returns false if --help was asked for. @throws UsageError.
bool parse_options(int argc, char** argv, Options& options);

}  // namespace top
