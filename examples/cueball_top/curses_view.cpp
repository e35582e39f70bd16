#include "curses_view.hpp"

#include "frame.hpp"

#include <curses.h>

#include <chrono>
#include <csignal>
#include <exception>
#include <optional>

namespace top {

namespace {

volatile std::sig_atomic_t quit_signal = 0;

extern "C" void on_quit_signal(int) { quit_signal = 1; }

enum Pair : short { kGood = 1, kBad, kBusy };

int attributes(const Line& line) {
    switch (line.kind) {
        case Line::Kind::Title: return A_REVERSE;
        case Line::Kind::Pool: return A_BOLD;
        case Line::Kind::Columns: return A_UNDERLINE;
        case Line::Kind::Note: return A_NORMAL;
        case Line::Kind::Backend:
            if (!has_colors()) return A_NORMAL;
            switch (line.state) {
                case cueball::BackendState::Online: return COLOR_PAIR(kGood);
                case cueball::BackendState::Connecting:
                case cueball::BackendState::Draining: return COLOR_PAIR(kBusy);
                // Failing, and any state not serving that a newer library adds.
                default: return COLOR_PAIR(kBad) | A_BOLD;
            }
    }
    return A_NORMAL;
}

void draw(const std::vector<Line>& lines, const std::string& status) {
    erase();
    int row = 0;
    for (const Line& line : lines) {
        if (row >= LINES - 1) break;
        const int attr = attributes(line);
        attron(attr);
        mvaddnstr(row++, 0, line.text.c_str(), COLS);
        attroff(attr);
    }
    if (!status.empty()) {
        attron(A_BOLD);
        mvaddnstr(LINES - 1, 0, status.c_str(), COLS);
        attroff(A_BOLD);
    }
    refresh();
}

// Ends curses however run_curses is left, so the terminal is usable again.
struct Screen {
    Screen() {
        initscr();
        cbreak();
        noecho();
        keypad(stdscr, TRUE);
        curs_set(0);
        // getch() waits at most this long, so polls and signals are noticed.
        timeout(100);
        if (has_colors()) {
            start_color();
            use_default_colors();
            init_pair(kGood, COLOR_GREEN, -1);
            init_pair(kBad, COLOR_RED, -1);
            init_pair(kBusy, COLOR_YELLOW, -1);
        }
    }
    ~Screen() { endwin(); }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;
};

}  // namespace

void run_curses(const Options& options, const std::string& title, Snapshot first,
                const std::function<Snapshot()>& poll) {
    // Installed before initscr(), so that curses leaves them alone and the
    // loop, not the signal, ends the program (through ~Screen).
    std::signal(SIGINT, on_quit_signal);
    std::signal(SIGTERM, on_quit_signal);
    Screen screen;
    std::optional<Snapshot> before;
    Snapshot now = std::move(first);
    std::vector<Line> lines = render(title, now, before, options.pool);
    std::string status = "q quits";
    auto next_poll = now.taken + std::chrono::seconds(1);
    draw(lines, status);
    while (quit_signal == 0) {
        const int key = getch();
        if (key == 'q' || key == 'Q') break;
        if (std::chrono::steady_clock::now() >= next_poll) {
            try {
                Snapshot fresh = poll();
                before = std::move(now);
                now = std::move(fresh);
                lines = render(title, now, before, options.pool);
                status = "q quits";
            } catch (const std::exception& e) {
                status = std::string("poll failed, retrying: ") + e.what();
            }
            next_poll = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        } else if (key != KEY_RESIZE) {
            continue;
        }
        draw(lines, status);
    }
}

}  // namespace top
