// The interactive view: polls the endpoints every --interval and draws the
// frame with ncurses, handling keys between polls, until q (or SIGINT/SIGTERM).
#pragma once

#include "frame.hpp"
#include "options.hpp"

#include <functional>
#include <string>
#include <vector>

namespace top {

/// Takes over the terminal until the user quits. `sources` hold the polls
/// the caller already took (so an unreachable endpoint fails before curses
/// starts), one per options.endpoints entry; `poll` refreshes the source of
/// endpoint `index`, recording a failure in its `error`, which is shown in
/// its place and retried at the next interval.
void run_curses(const Options& options, const std::string& title, std::vector<Source> sources,
                const std::function<void(std::size_t index, Source& source)>& poll);

}  // namespace top
