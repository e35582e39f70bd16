// What cueball-top shows: a title, the column names, a section per pool (its
// summary line, then its backends, scrolled and marked where rows are cut)
// and a key line, for a terminal of a given size. Pure: the curses view draws
// these lines, --once prints them, and the tests read them.
#pragma once

#include "snapshot.hpp"
#include "view_state.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace top {

/// One endpoint's polls.
struct Source {
    std::string endpoint;            ///< "127.0.0.1:9100": named in its pools' summaries
    std::optional<Snapshot> now;     ///< the last good poll; none before the first
    std::optional<Snapshot> before;  ///< the good poll before `now`, for rates
    std::string error;               ///< why the last poll failed; empty when it did not
};

struct Terminal {
    std::size_t width = 0;   ///< columns; 0 = no limit
    std::size_t height = 0;  ///< lines; 0 = every row and no key line (--once)
    bool utf8 = true;        ///< false: names are shown in ASCII only
};

struct Line {
    enum class Kind {
        Title,    ///< the first line: where the numbers come from, sort and filter
        Columns,  ///< the column names
        Pool,     ///< a pool's summary; never scrolled away
        Backend,  ///< one backend; `state` says which
        Mark,     ///< rows cut here: "more above" / "more below"
        Note,     ///< a remark, such as an empty pool
        Error,    ///< an endpoint's last poll failed
        Help,     ///< the key help ('?')
        Status,   ///< the last line: keys, or the filter being typed
    };
    Kind kind;
    std::string text;
    cueball::BackendState state = cueball::BackendState::Online;
    bool focused = false;  ///< a Pool line whose backends the arrow keys scroll
};

struct Frame {
    std::vector<Line> lines;
    std::vector<Viewport> viewports;  ///< one per pool, shown or not, in order
    std::size_t widest = 0;           ///< the longest line that Left/Right scroll, in columns
};

/// The frame for `sources` as `state` asks: `terminal.height` lines, the last
/// the key line (with height 0, every row and no key line), none longer than
/// `terminal.width` columns. Claims/s and p99 are over the time between each
/// source's two snapshots ("-" without an earlier one, or for a backend new
/// since then). `pool` limits it to pools of that name when not empty.
Frame render(const std::string& title, const std::vector<Source>& sources, const std::string& pool,
             const ViewState& state, Terminal terminal);

/// "<1us", "51.2us", "1.5ms", "12.3s": a claim wait.
std::string format_wait(std::chrono::nanoseconds wait);

}  // namespace top
