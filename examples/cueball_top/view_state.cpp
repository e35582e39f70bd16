#include "view_state.hpp"

#include <algorithm>
#include <iterator>

namespace top {

namespace {

using Name = KeyPress::Name;

constexpr std::size_t kShiftStep = 8;

std::size_t index_of(SortKey key) {
    return static_cast<std::size_t>(std::find(std::begin(kSortKeys), std::end(kSortKeys), key) - std::begin(kSortKeys));
}

SortKey next_key(SortKey key, bool forward) {
    const std::size_t n = std::size(kSortKeys);
    return kSortKeys[(index_of(key) + (forward ? 1 : n - 1)) % n];
}

// Filters change which rows exist: every block starts again at its top.
void set_filter(ViewState& state, std::string filter) {
    if (filter != state.active_filter()) state.scroll.clear();
    state.filter = std::move(filter);
}

bool typing_key(ViewState& state, KeyPress key) {
    std::string& text = *state.typing;
    switch (key.name) {
        case Name::Enter: {
            std::string done = std::move(text);
            state.typing.reset();
            state.filter = std::move(done);
            return true;
        }
        case Name::Escape:
            // Back to the filter from before '/', so to the top of each block.
            state.typing.reset();
            break;
        case Name::Backspace:
            if (!text.empty()) text.pop_back();
            break;
        case Name::Char:
            if (static_cast<unsigned char>(key.ch) >= 0x20 && key.ch != 0x7f) text += key.ch;
            break;
        default: return true;
    }
    state.scroll.clear();
    return true;
}

// As in less and vi.
std::optional<Name> vi_key(KeyPress key) {
    if (key.name != Name::Char) return std::nullopt;
    switch (key.ch) {
        case 'j': return Name::Down;
        case 'k': return Name::Up;
        case 'g': return Name::Home;
        case 'G': return Name::End;
        default: return std::nullopt;
    }
}

void scroll(ViewState& state, const Viewport& v, Name name) {
    std::size_t offset = std::min(state.scroll[v.id], v.max_offset);
    switch (name) {
        case Name::Up: offset = offset > 0 ? offset - 1 : 0; break;
        case Name::Down: offset = std::min(offset + 1, v.max_offset); break;
        case Name::PageUp: offset = offset > v.page ? offset - v.page : 0; break;
        case Name::PageDown: offset = std::min(offset + v.page, v.max_offset); break;
        case Name::Home: offset = 0; break;
        case Name::End: offset = v.max_offset; break;
        default: break;
    }
    state.scroll[v.id] = offset;
}

}  // namespace

const char* to_string(SortKey key) {
    switch (key) {
        case SortKey::Key: return "key";
        case SortKey::State: return "state";
        case SortKey::Failures: return "failures";
        case SortKey::Claims: return "claims";
        case SortKey::P99: return "p99";
        case SortKey::Priority: return "priority";
        case SortKey::Ejections: return "ejections";
    }
    return "?";
}

bool handle_key(ViewState& state, KeyPress key, const std::vector<Viewport>& viewports, std::size_t widest,
                std::size_t width) {
    if (state.typing) return typing_key(state, key);
    if (key.name == Name::Char && (key.ch == 'q' || key.ch == 'Q')) return false;
    if (state.help) {
        state.help = false;
        return true;
    }
    if (const auto vi = vi_key(key)) key.name = *vi;
    if (state.focus >= viewports.size()) state.focus = viewports.empty() ? 0 : viewports.size() - 1;
    switch (key.name) {
        case Name::Char:
            switch (key.ch) {
                case '?':
                case 'h': state.help = true; break;
                case 's':
                case 'S': state.sort = next_key(state.sort, key.ch == 's'); break;
                case 'r': state.reverse = !state.reverse; break;
                case '/': state.typing = state.filter; break;
                default: break;
            }
            break;
        case Name::Escape: set_filter(state, ""); break;
        case Name::Tab:
        case Name::BackTab:
            if (!viewports.empty()) {
                const std::size_t n = viewports.size();
                state.focus = (state.focus + (key.name == Name::Tab ? 1 : n - 1)) % n;
            }
            break;
        case Name::Left: state.shift = state.shift > kShiftStep ? state.shift - kShiftStep : 0; break;
        case Name::Right: {
            const std::size_t limit = widest > width ? widest - width : 0;
            state.shift = std::min(state.shift + kShiftStep, limit);
            break;
        }
        default:
            if (!viewports.empty()) scroll(state, viewports[state.focus], key.name);
            break;
    }
    return true;
}

const std::vector<std::string>& help_lines() {
    static const std::vector<std::string> lines = {
        "Keys",
        "  q              quit",
        "  ? h            this help; any key closes it",
        "  s S            next / previous sort key: key, state, failures, claims, p99, priority, ejections",
        "  r              reverse the sort order",
        "  /              filter: type a substring of backend key or state; Enter keeps, Esc cancels",
        "  Esc            clear the filter",
        "  Tab Shift-Tab  next / previous pool (the one that scrolls)",
        "  Up Down j k    scroll one row; PgUp PgDn a page; Home End g G top and bottom",
        "  Left Right     scroll the columns sideways",
        "Columns",
        "  STATE     connecting, online, failing, dead, draining, ejected",
        "  PRIO WEIGHT   RFC 2782 priority (lower preferred) and weight",
        "  IDLE CLAIMED CONN   open idle, claimed and connecting connections",
        "  FAILS     connect failures since the backend was added",
        "  EJECTS    times outlier detection ejected it; EJECTED time until readmitted",
        "  CLAIMS/S P99   claims per second and p99 claim wait over the last interval",
    };
    return lines;
}

}  // namespace top
