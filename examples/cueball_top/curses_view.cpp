#include "curses_view.hpp"

#include "frame.hpp"

#include <curses.h>
#include <langinfo.h>

#include <clocale>
#include <csignal>
#include <cstring>
#include <optional>
#include <vector>

namespace top {

namespace {

volatile std::sig_atomic_t quit_signal = 0;

extern "C" void on_quit_signal(int) { quit_signal = 1; }

enum Pair : short { kGood = 1, kBad, kBusy };

int attributes(const Line& line) {
    switch (line.kind) {
        case Line::Kind::Title:
        case Line::Kind::Status: return A_REVERSE;
        case Line::Kind::Pool: return line.focused ? A_BOLD | A_UNDERLINE : A_BOLD;
        case Line::Kind::Columns: return A_UNDERLINE;
        case Line::Kind::Mark: return A_DIM;
        case Line::Kind::Error: return has_colors() ? COLOR_PAIR(kBad) | A_BOLD : A_BOLD;
        case Line::Kind::Note:
        case Line::Kind::Help: return A_NORMAL;
        case Line::Kind::Backend:
            if (!has_colors()) return A_NORMAL;
            switch (line.state) {
                case cueball::BackendState::Online: return COLOR_PAIR(kGood);
                case cueball::BackendState::Connecting:
                case cueball::BackendState::Draining: return COLOR_PAIR(kBusy);
                // Failing, dead, ejected, and any state a newer library adds.
                default: return COLOR_PAIR(kBad) | A_BOLD;
            }
    }
    return A_NORMAL;
}

void draw(const std::vector<Line>& lines) {
    erase();
    for (std::size_t row = 0; row < lines.size() && row < static_cast<std::size_t>(LINES); ++row) {
        const int attr = attributes(lines[row]);
        attron(attr);
        mvaddstr(static_cast<int>(row), 0, lines[row].text.c_str());
        attroff(attr);
    }
    refresh();
}

std::optional<KeyPress> key_press(int key) {
    using Name = KeyPress::Name;
    switch (key) {
        case KEY_UP: return KeyPress{Name::Up};
        case KEY_DOWN: return KeyPress{Name::Down};
        case KEY_LEFT: return KeyPress{Name::Left};
        case KEY_RIGHT: return KeyPress{Name::Right};
        case KEY_PPAGE: return KeyPress{Name::PageUp};
        case KEY_NPAGE:
        case ' ': return KeyPress{Name::PageDown};
        case KEY_HOME: return KeyPress{Name::Home};
        case KEY_END: return KeyPress{Name::End};
        case '\t': return KeyPress{Name::Tab};
        case KEY_BTAB: return KeyPress{Name::BackTab};
        case '\n':
        case '\r':
        case KEY_ENTER: return KeyPress{Name::Enter};
        case 27: return KeyPress{Name::Escape};
        case KEY_BACKSPACE:
        case 127:
        case 8: return KeyPress{Name::Backspace};
        default:
            if (key >= 0x20 && key < 0x7f) return KeyPress{Name::Char, static_cast<char>(key)};
            return std::nullopt;
    }
}

// Ends curses however run_curses is left, so the terminal is usable again.
struct Screen {
    Screen() {
        initscr();
        cbreak();
        noecho();
        keypad(stdscr, TRUE);
        // A lone Esc (cancel the filter) arrives after this delay, not 1 s.
        set_escdelay(50);
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

void run_curses(const Options& options, const std::string& title, Poller& poller) {
    // Installed before initscr(), so that curses leaves them alone and the
    // loop, not the signal, ends the program (through ~Screen).
    std::signal(SIGINT, on_quit_signal);
    std::signal(SIGTERM, on_quit_signal);
    std::setlocale(LC_ALL, "");
    const bool utf8 = std::strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    Screen screen;
    ViewState state = initial_view(options);
    std::vector<Source> sources = poller.take_if_new().value_or(std::vector<Source>{});
    const auto frame = [&] {
        return render(title, sources, options.pool, state,
                      {static_cast<std::size_t>(COLS), static_cast<std::size_t>(LINES), utf8});
    };
    Frame shown = frame();
    draw(shown.lines);
    while (quit_signal == 0) {
        const int key = getch();
        bool changed = key == KEY_RESIZE;
        if (key != ERR && key != KEY_RESIZE) {
            if (const std::optional<KeyPress> press = key_press(key)) {
                if (!handle_key(state, *press, shown.viewports, shown.widest, static_cast<std::size_t>(COLS))) break;
                changed = true;
            }
        }
        if (auto fresh = poller.take_if_new()) {
            sources = std::move(*fresh);
            changed = true;
        }
        if (changed) {
            shown = frame();
            draw(shown.lines);
        }
    }
}

}  // namespace top
