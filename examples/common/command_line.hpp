// The command lines of the example programs and cueball-bench are parsed
// with CLI11, so that all of them take --help, --flag=value and --flag value
// alike, and answer a bad command line the same way: what is wrong, naming
// the flag, on stderr, and exit status 2.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>

namespace cueball::examples {

/// Exit status of a program given a command line it does not accept.
inline constexpr int kUsageExit = 2;

/// Parses argv into `app`'s options. Returns nothing when the program should
/// go on; otherwise the status to exit with: 0 after printing the help to
/// stdout (--help), kUsageExit after printing to stderr what is wrong.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace cueball::examples
