// The interactive view: polls the endpoint every second and draws the frame
// with ncurses until q (or SIGINT/SIGTERM).
#pragma once

#include "options.hpp"
#include "snapshot.hpp"

#include <functional>
#include <string>

namespace top {

/// Takes over the terminal until the user quits; `first` is the snapshot the
/// caller already took (so an unreachable endpoint fails before curses
/// starts). A failed poll is shown on the last line and retried next second.
void run_curses(const Options& options, const std::string& title, Snapshot first,
                const std::function<Snapshot()>& poll);

}  // namespace top
