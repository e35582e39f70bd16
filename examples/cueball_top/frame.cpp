#include "frame.hpp"

#include "layout.hpp"
#include "rows.hpp"
#include "text.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

namespace top {

namespace {

using cueball::BackendStats;
using cueball::PoolStats;

constexpr std::size_t kMinKeyWidth = 7;   // "BACKEND"
constexpr std::size_t kMaxKeyWidth = 40;  // longer keys lose their middle
constexpr const char* kColumns = "{} {:<10} {:>4} {:>6} {:>4} {:>7} {:>4} {:>6} {:>6} {:>7} {:>8} {:>7}  {}";
constexpr const char* kKeys =
    "q quit  ? help  s sort  r reverse  / filter  Tab pool  arrows PgUp PgDn Home End scroll";

// A pool as a block of the frame, or an endpoint's error or a remark, which
// have a head line only.
struct Section {
    Line head;
    std::string id;                // Viewport::id; empty for a head-only section
    std::vector<BackendRow> rows;  // those that pass the filter, in order
    std::string empty_note;        // shown when `rows` is empty
};

std::string rate_text(const std::optional<double>& per_s) { return per_s ? fmt::format("{:.1f}", *per_s) : "-"; }

std::string wait_text(const std::optional<std::chrono::nanoseconds>& wait) { return wait ? format_wait(*wait) : "-"; }

std::string ms_text(const std::optional<std::chrono::milliseconds>& ms) {
    if (!ms) return "-";
    if (*ms < std::chrono::seconds(1)) return fmt::format("{}ms", ms->count());
    if (*ms < std::chrono::minutes(1)) return fmt::format("{:.1f}s", static_cast<double>(ms->count()) / 1e3);
    return fmt::format("{}m{:02}s", ms->count() / 60'000, ms->count() / 1000 % 60);
}

const PoolStats* find_pool(const std::optional<Snapshot>& snapshot, const std::string& name) {
    if (!snapshot) return nullptr;
    auto it = std::find_if(snapshot->pools.begin(), snapshot->pools.end(),
                           [&](const PoolStats& p) { return p.name == name; });
    return it == snapshot->pools.end() ? nullptr : &*it;
}

class Renderer {
public:
    Renderer(const ViewState& state, Terminal terminal) : state_(state), terminal_(terminal) {}

    Frame run(const std::string& title, const std::vector<Source>& sources, const std::string& pool) {
        build_sections(sources, pool);
        key_width_ = kMinKeyWidth;
        for (const Section& s : sections_) {
            for (const BackendRow& r : s.rows) {
                key_width_ = std::max(key_width_, std::min(kMaxKeyWidth, columns(text(r.stats->key))));
            }
        }
        std::vector<Line> top{{Line::Kind::Title, title_line(title)}};
        if (!frame_.viewports.empty() && !(state_.help && terminal_.height > 0)) {
            top.push_back({Line::Kind::Columns, fmt::format(kColumns, fit("  BACKEND", key_width_ + 2), "STATE", "PRIO",
                                                            "WEIGHT", "IDLE", "CLAIMED", "CONN", "FAILS", "EJECTS",
                                                            "EJECTED", "CLAIMS/S", "P99", "LAST ERROR")});
        }
        if (terminal_.height == 0) {
            frame_.lines = std::move(top);
            for (Section& s : sections_) {
                frame_.lines.push_back(s.head);
                emit_rows(s, s.rows.size() + 1);
            }
        } else {
            const std::size_t body = terminal_.height > top.size() + 1 ? terminal_.height - top.size() - 1 : 0;
            frame_.lines = std::move(top);
            if (state_.help) {
                emit_help(body);
            } else {
                emit_body(body);
            }
            // Cut to the screen, or padded so that the key line is its last.
            frame_.lines.resize(terminal_.height - 1, Line{Line::Kind::Note, ""});
            frame_.lines.push_back({Line::Kind::Status, status_line()});
        }
        for (Line& l : frame_.lines) {
            // Title and key line stay; the table moves sideways as a whole.
            const bool wide = l.kind != Line::Kind::Title && l.kind != Line::Kind::Status;
            if (wide) frame_.widest = std::max(frame_.widest, columns(l.text));
            if (terminal_.width > 0 || (wide && state_.shift > 0)) {
                const std::size_t width = terminal_.width > 0 ? terminal_.width : std::string::npos;
                l.text = clip(l.text, wide ? state_.shift : 0, width);
            }
        }
        return std::move(frame_);
    }

private:
    std::string text(const std::string& raw) const { return printable(raw, terminal_.utf8); }

    void build_sections(const std::vector<Source>& sources, const std::string& pool) {
        const std::string& filter = state_.active_filter();
        for (const Source& source : sources) {
            if (!source.error.empty()) {
                sections_.push_back({{Line::Kind::Error, text("endpoint " + source.endpoint +
                                                              ": poll failed, retrying: " + source.error)},
                                     {}, {}, {}});
            }
            if (!source.now) continue;
            const double seconds =
                source.before ? std::chrono::duration<double>(source.now->taken - source.before->taken).count() : 0.0;
            for (const PoolStats& p : source.now->pools) {
                if (!pool.empty() && p.name != pool) continue;
                const PoolStats* then = find_pool(source.before, p.name);
                Section s;
                s.id = source.endpoint + "/" + p.name;
                s.rows = backend_rows(p, then, seconds, filter, state_.sort, state_.reverse);
                s.empty_note = p.backends.empty() ? "  no backends" : "  no backend matches '" + text(filter) + "'";
                const Rates r = then ? rates(p.counters.claims, p.claim_wait, then->counters.claims, then->claim_wait,
                                             seconds)
                                     : Rates{};
                const std::string where = sources.size() > 1 ? " @ " + source.endpoint : "";
                s.head = {Line::Kind::Pool, pool_line(p, where, r, s.rows.size())};
                frame_.viewports.push_back({s.id, s.rows.size(), 0, 0, 1});
                sections_.push_back(std::move(s));
            }
        }
        if (frame_.viewports.empty()) {
            const std::string note = pool.empty() ? "no pools registered" : "no pool named '" + text(pool) + "'";
            sections_.push_back({{Line::Kind::Note, note}, {}, {}, {}});
        }
        const std::size_t focus = std::min(state_.focus, frame_.viewports.empty() ? 0 : frame_.viewports.size() - 1);
        const bool mark_focus = terminal_.height > 0 && frame_.viewports.size() > 1;
        std::size_t index = 0;
        for (Section& s : sections_) {
            if (s.id.empty()) continue;
            s.head.focused = index++ == focus;
            if (mark_focus) s.head.text = (s.head.focused ? "> " : "  ") + s.head.text;
        }
    }

    std::string pool_line(const PoolStats& p, const std::string& where, const Rates& r, std::size_t shown) const {
        return fmt::format(
            "pool {}{} {}  backends {}{}  claims/s {}  p99 {}  timeouts {}  waiters {}  open {}/{} (idle {}, "
            "claimed {}, connecting {})",
            text(p.name), text(where), cueball::to_string(p.state), p.backends.size(),
            state_.active_filter().empty() ? "" : fmt::format(" ({} match)", shown), rate_text(r.claims_per_s),
            wait_text(r.p99), p.counters.claim_timeouts, p.waiters, p.total_connections, p.max_connections,
            p.idle_connections, p.claimed_connections, p.pending_connections);
    }

    std::string backend_line(const BackendRow& row) const {
        const BackendStats& b = *row.stats;
        return fmt::format(kColumns, fit("  " + text(b.key), key_width_ + 2), cueball::to_string(b.state),
                           b.backend.priority, b.backend.weight, b.idle, b.claimed, b.connecting, b.connect_failures,
                           b.counters.ejections, ms_text(b.ejected_for), rate_text(row.rates.claims_per_s),
                           wait_text(row.rates.p99), text(b.last_error));
    }

    std::string title_line(const std::string& title) const {
        std::string line = text(title) + "  sort " + to_string(state_.sort) + (state_.reverse ? " reversed" : "");
        if (!state_.active_filter().empty()) line += "  filter '" + text(state_.active_filter()) + "'";
        return line;
    }

    std::string status_line() const {
        if (state_.typing) return "filter: " + text(*state_.typing) + "_   Enter keeps, Esc cancels";
        if (state_.help) return "any key closes the help, q quits";
        return kKeys;
    }

    void emit_help(std::size_t body) {
        const std::vector<std::string>& help = help_lines();
        for (std::size_t i = 0; i < help.size() && i < body; ++i) {
            const bool cut = i + 1 == body && help.size() > body;
            frame_.lines.push_back(cut ? Line{Line::Kind::Mark, fmt::format("  -- {} more below --", help.size() - i)}
                                       : Line{Line::Kind::Help, help[i]});
        }
    }

    // The summaries first, each pool's rows in what is left. When even the
    // summaries do not fit they scroll, keeping the focused pool's in view.
    void emit_body(std::size_t body) {
        std::vector<std::size_t> wanted;
        std::size_t focus_section = 0;
        for (std::size_t i = 0; i < sections_.size(); ++i) {
            const Section& s = sections_[i];
            wanted.push_back(s.id.empty() ? 0 : std::max<std::size_t>(s.rows.size(), 1));
            if (s.head.focused) focus_section = i;
        }
        if (sections_.size() > body) {
            Window w = window(sections_.size(), body, 0);
            for (std::size_t offset = 0; offset <= w.max_offset; ++offset) {
                w = window(sections_.size(), body, offset);
                if (focus_section >= w.first && focus_section < w.first + w.count) break;
            }
            emit_marked(w, body, "pools", [&](std::size_t i) { frame_.lines.push_back(sections_[i].head); });
            for (Section& s : sections_) emit_rows(s, 0);
            return;
        }
        const std::vector<std::size_t> given = share_lines(wanted, body - sections_.size(), focus_section);
        for (std::size_t i = 0; i < sections_.size(); ++i) {
            frame_.lines.push_back(sections_[i].head);
            emit_rows(sections_[i], given[i]);
        }
    }

    // A pool's rows, or its note, in `height` lines, and where that left its
    // viewport for the keys.
    void emit_rows(Section& s, std::size_t height) {
        if (s.id.empty()) return;
        Viewport& v = frame_.viewports[viewport_index(s)];
        if (s.rows.empty()) {
            if (height > 0) frame_.lines.push_back({Line::Kind::Note, s.empty_note});
            return;
        }
        const auto it = state_.scroll.find(s.id);
        const Window w = window(s.rows.size(), height, it == state_.scroll.end() ? 0 : it->second);
        v.offset = w.first;
        v.max_offset = w.max_offset;
        v.page = height > 2 ? height - 2 : 1;
        emit_marked(w, height, "", [&](std::size_t i) {
            const BackendRow& r = s.rows[i];
            frame_.lines.push_back({Line::Kind::Backend, backend_line(r), r.stats->state});
        });
    }

    template <class Emit>
    void emit_marked(const Window& w, std::size_t height, const std::string& what, const Emit& emit) {
        const std::string noun = what.empty() ? "" : " " + what;
        const bool combined = w.above > 0 && w.below > 0 && height - w.count == 1;
        if (w.above > 0 && !combined) {
            frame_.lines.push_back({Line::Kind::Mark, fmt::format("  -- {} more{} above --", w.above, noun)});
        }
        for (std::size_t i = w.first; i < w.first + w.count; ++i) emit(i);
        if (combined) {
            frame_.lines.push_back(
                {Line::Kind::Mark, fmt::format("  -- {} more{} above, {} below --", w.above, noun, w.below)});
        } else if (w.below > 0 && height > 0) {
            frame_.lines.push_back({Line::Kind::Mark, fmt::format("  -- {} more{} below --", w.below, noun)});
        }
    }

    std::size_t viewport_index(const Section& s) const {
        const auto it = std::find_if(frame_.viewports.begin(), frame_.viewports.end(),
                                     [&](const Viewport& v) { return v.id == s.id; });
        return static_cast<std::size_t>(it - frame_.viewports.begin());
    }

    const ViewState& state_;
    const Terminal terminal_;
    std::vector<Section> sections_;
    Frame frame_;
    std::size_t key_width_ = kMinKeyWidth;
};

}  // namespace

std::string format_wait(std::chrono::nanoseconds wait) {
    const double us = std::chrono::duration<double, std::micro>(wait).count();
    // The first bucket holds the claims served at once (and anything under 1 us).
    if (us < 1) return "<1us";
    if (us >= 1e6) return fmt::format("{:.3g}s", us / 1e6);
    if (us >= 1e3) return fmt::format("{:.3g}ms", us / 1e3);
    return fmt::format("{:.3g}us", us);
}

Frame render(const std::string& title, const std::vector<Source>& sources, const std::string& pool,
             const ViewState& state, Terminal terminal) {
    return Renderer(state, terminal).run(title, sources, pool);
}

}  // namespace top
