// What the person looking at cueball-top has chosen: sort key and order,
// filter, scroll positions, help; and how a key press changes it. Pure: the
// curses loop turns key codes into KeyPress and calls handle_key.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace top {

/// What backend rows are ordered by. Ties are ordered by key, so rows with
/// equal values keep their places from one poll to the next.
enum class SortKey {
    Key,        ///< address:port, A to Z, numbers by value (10.0.0.9 before 10.0.0.10)
    State,      ///< worst first: dead, ejected, failing, connecting, draining, online
    Failures,   ///< connect failures since added, most first
    Claims,     ///< claims/s over the last interval, most first
    P99,        ///< p99 claim wait over the last interval, slowest first
    Priority,   ///< RFC 2782 priority, preferred (lowest) first
    Ejections,  ///< times ejected by outlier detection, most first
};
inline constexpr SortKey kSortKeys[] = {SortKey::Key,    SortKey::State,    SortKey::Failures, SortKey::Claims,
                                        SortKey::P99,    SortKey::Priority, SortKey::Ejections};

/// "key", "state", "failures", "claims", "p99", "priority", "ejections":
/// the names --sort takes.
const char* to_string(SortKey key);

/// A block of rows that scrolls by itself (a pool's backends), as the last
/// frame laid it out.
struct Viewport {
    std::string id;              ///< stable across polls: endpoint and pool name
    std::size_t rows = 0;        ///< rows that pass the filter
    std::size_t offset = 0;      ///< first row shown, after clamping
    std::size_t max_offset = 0;  ///< offset that shows the last row
    std::size_t page = 1;        ///< rows PgUp/PgDn move
};

struct ViewState {
    SortKey sort = SortKey::Key;
    bool reverse = false;                ///< the sort key's order turned around
    std::string filter;                  ///< substring of key or state; empty = all
    std::optional<std::string> typing;   ///< while '/' is open: the filter being typed, applied live
    bool help = false;                   ///< the key help replaces the rows
    std::size_t focus = 0;               ///< index of the viewport that scrolls
    std::size_t shift = 0;               ///< columns the rows are scrolled to the left
    std::map<std::string, std::size_t> scroll;  ///< first row shown, by Viewport::id

    /// The filter rows are matched against now (the one being typed, if any).
    const std::string& active_filter() const { return typing ? *typing : filter; }
};

/// A key, after curses: the named ones, or a character.
struct KeyPress {
    enum class Name { Char, Up, Down, Left, Right, PageUp, PageDown, Home, End, Tab, BackTab, Enter, Escape, Backspace };
    Name name = Name::Char;
    char ch = 0;  ///< for Name::Char
};

/// Applies `key` to `state`, with scroll limits from the last frame's
/// `viewports` and `widest` row (in columns) and the screen `width`.
/// Returns false when the key asks to quit.
bool handle_key(ViewState& state, KeyPress key, const std::vector<Viewport>& viewports, std::size_t widest,
                std::size_t width);

/// The help text shown by '?', one entry per line.
const std::vector<std::string>& help_lines();

}  // namespace top
