#include "command_line.hpp"

#include <iostream>

namespace cueball::examples {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11's own exit codes differ by kind of error (105, 109, ...);
        // scripts only need to tell "bad command line" from "failed".
        std::cerr << app.get_name() << ": " << e.what() << "\nRun with --help for more information.\n";
        return kUsageExit;
    }
}

}  // namespace cueball::examples
