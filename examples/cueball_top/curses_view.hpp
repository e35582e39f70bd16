// The interactive view: draws the frame with ncurses as polls arrive and
// keys are pressed, until q (or SIGINT/SIGTERM).
#pragma once

#include "options.hpp"
#include "poller.hpp"

#include <string>

namespace top {

/// Takes over the terminal until the user quits, drawing what `poller` has
/// (an endpoint whose last poll failed is shown with its error in its place).
void run_curses(const Options& options, const std::string& title, Poller& poller);

}  // namespace top
