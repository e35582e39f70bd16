// Command line of cueball-top (CLI11), parsed into one struct, with an error
// naming the flag for anything it does not accept.
#pragma once

#include "view_state.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace top {

/// A StatsServer to read: GET http://host:port/stats.
struct Endpoint {
    std::string host;
    std::uint16_t port = 0;

    /// "127.0.0.1:9100", "[::1]:9100".
    std::string label() const;
};

struct Options {
    std::string host = "127.0.0.1";       ///< --host: for --port and bare-port endpoints
    std::vector<Endpoint> endpoints;      ///< ENDPOINT arguments, then --port ones; at least one
    std::string pool;                     ///< --pool: show only this pool; empty = all
    bool once = false;                    ///< --once: print one frame as text and exit
    std::chrono::milliseconds interval{1000};  ///< --interval: between polls, 100 ms to 60 s
    SortKey sort = SortKey::Key;          ///< --sort: the initial sort key
    bool reverse = false;                 ///< --reverse: the initial order reversed
    std::string filter;                   ///< --filter: the initial filter
};

/// Thrown for a bad command line; what() names the flag and what it accepts.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Fills `options`. Returns the help text when --help was asked for (the
/// caller prints it and exits 0), nothing otherwise. @throws UsageError.
std::optional<std::string> parse_options(int argc, char** argv, Options& options);

/// The view --sort, --reverse and --filter ask for.
ViewState initial_view(const Options& options);

/// "[HOST:]PORT" or "[V6]:PORT", PORT from 1 to 65535; a bare port gets
/// `default_host`. @throws UsageError.
Endpoint parse_endpoint(const std::string& text, const std::string& default_host);

}  // namespace top
