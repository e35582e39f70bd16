#include "options.hpp"

#include <charconv>

namespace top {

const char* const kUsage =
    "usage: cueball-top [--host HOST] --port PORT [--pool NAME] [--once]\n"
    "  Shows the pools of a process that runs a cueball::StatsServer, from\n"
    "  http://HOST:PORT/stats, refreshed every second. Keys: q quits.\n"
    "  --host HOST   where the stats server listens (default 127.0.0.1)\n"
    "  --port PORT   its port (required)\n"
    "  --pool NAME   show only this pool\n"
    "  --once        print one frame as plain text and exit; it takes two\n"
    "                samples a second apart, for the rates\n"
    "Exit status: 0 ok, 1 the endpoint could not be read, 2 bad command line.\n";

namespace {

std::uint16_t parse_port(const std::string& text) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > 65535) {
        throw UsageError("--port: expected a number from 1 to 65535, got '" + text + "'");
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

bool parse_options(int argc, char** argv, Options& options) {
    bool have_port = false;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--help" || flag == "-h") {
            return false;
        } else if (flag == "--host") {
            options.host = value();
            if (options.host.empty()) throw UsageError("--host must not be empty");
        } else if (flag == "--port") {
            options.port = parse_port(value());
            have_port = true;
        } else if (flag == "--pool") {
            options.pool = value();
        } else if (flag == "--once") {
            options.once = true;
        } else {
            throw UsageError("unknown argument '" + flag + "'");
        }
    }
    if (!have_port) throw UsageError("--port is required");
    return true;
}

}  // namespace top
