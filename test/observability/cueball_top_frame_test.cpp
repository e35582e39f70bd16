// cueball-top's pure parts: reading back what to_json() writes, and the
// frame it draws from two snapshots: rates, sorting, filtering, scrolling
// and its marks, several pools, small terminals and unprintable names.
#include "frame.hpp"
#include "snapshot.hpp"
#include "text.hpp"

#include <cueball/stats_format.hpp>

#include <gtest/gtest.h>

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <regex>

namespace cueball::test {
namespace {

using namespace std::chrono_literals;

PoolStats sample_pool() {
    PoolStats p;
    p.name = "orders";
    p.max_connections = 4;
    p.total_connections = 3;
    p.idle_connections = 2;
    p.claimed_connections = 1;
    p.pending_connections = 1;
    p.waiters = 2;
    p.counters.claims = 100;
    p.counters.claim_timeouts = 3;
    p.claim_wait.record(0ns);
    p.claim_wait.record(5ms);
    BackendStats b;
    b.key = "127.0.0.1:10001";
    b.backend = {"127.0.0.1", 10001, "one", 2, 30};
    b.state = BackendState::Failing;
    b.idle = 2;
    b.claimed = 1;
    b.connect_failures = 7;
    b.consecutive_failures = 2;
    b.retry_in = 250ms;
    b.ejected_for = 1500ms;
    b.last_error = "refused \"quoted\"";
    b.counters.claims = 100;
    b.claim_wait = p.claim_wait;
    p.backends.push_back(b);
    return p;
}

// Every counter, so that one the reader leaves out reads back as 0.
constexpr std::uint64_t Counters::*kEveryCounter[] = {
    &Counters::claims,           &Counters::claim_timeouts,     &Counters::connects,    &Counters::connect_failures,
    &Counters::health_check_failures, &Counters::resets_failed, &Counters::discards,    &Counters::claims_cancelled,
    &Counters::claims_failed_fast, &Counters::long_claims,      &Counters::expired,     &Counters::validations_failed,
    &Counters::churn_delays,     &Counters::ejections};
static_assert(sizeof(Counters) == sizeof(kEveryCounter) / sizeof(kEveryCounter[0]) * sizeof(std::uint64_t),
              "a counter was added: list it here");

TEST(CueballTopSnapshot, ReadsBackWhatToJsonWrites) {
    PoolStats p = sample_pool();
    p.state = PoolState::Failed;
    p.target_connections = 3;
    p.use_time.record(2ms);
    p.backends[0].create_time.record(7ms);
    std::uint64_t value = 1000;
    for (auto member : kEveryCounter) {
        p.counters.*member = ++value;
        p.backends[0].counters.*member = ++value;
    }
    const std::vector<PoolStats> pools = top::parse_pools(to_json(std::vector<PoolStats>{p, p}));
    ASSERT_EQ(pools.size(), 2u);
    const PoolStats& r = pools[0];
    EXPECT_EQ(r.name, p.name);
    EXPECT_EQ(r.max_connections, p.max_connections);
    EXPECT_EQ(r.total_connections, p.total_connections);
    EXPECT_EQ(r.pending_connections, p.pending_connections);
    EXPECT_EQ(r.waiters, p.waiters);
    EXPECT_EQ(r.counters.claims, p.counters.claims);
    EXPECT_EQ(r.counters.claim_timeouts, p.counters.claim_timeouts);
    EXPECT_EQ(r.claim_wait, p.claim_wait);
    EXPECT_EQ(r.claim_wait.sum, p.claim_wait.sum);
    EXPECT_EQ(r.state, PoolState::Failed);
    EXPECT_EQ(r.target_connections, 3u);
    EXPECT_EQ(r.use_time, p.use_time);
    for (auto member : kEveryCounter) {
        EXPECT_EQ(r.counters.*member, p.counters.*member);
        EXPECT_EQ(r.backends.at(0).counters.*member, p.backends[0].counters.*member);
    }
    ASSERT_EQ(r.backends.size(), 1u);
    const BackendStats& b = r.backends[0];
    EXPECT_EQ(b.key, p.backends[0].key);
    EXPECT_EQ(b.backend.name, "one");
    EXPECT_EQ(b.state, BackendState::Failing);
    EXPECT_EQ(b.connect_failures, 7u);
    EXPECT_EQ(b.retry_in, 250ms);
    EXPECT_EQ(b.ejected_for, 1500ms);
    EXPECT_EQ(b.backend.priority, 2);
    EXPECT_EQ(b.backend.weight, 30);
    EXPECT_EQ(b.create_time, p.backends[0].create_time);
    EXPECT_EQ(b.last_error, p.backends[0].last_error);
    EXPECT_EQ(b.claim_wait, p.claim_wait);
}

TEST(CueballTopSnapshot, RejectsWhatIsNotStats) {
    for (const char* bad : {"", "{", "{}", "[1]", R"([{"name":"x"}])", "[{\"name\":1}]"}) {
        EXPECT_THROW(top::parse_pools(bad), top::FormatError) << bad;
    }
}

std::string joined(const top::Frame& frame) {
    std::string text;
    for (const top::Line& l : frame.lines) text += l.text + "\n";
    return text;
}

top::Frame render_one(const top::Snapshot& now, const std::optional<top::Snapshot>& before,
                      const top::ViewState& state = {}, top::Terminal terminal = {}, const std::string& pool = "") {
    return top::render("title", {top::Source{"127.0.0.1:9100", now, before, {}}}, pool, state, terminal);
}

TEST(CueballTopFrame, RatesAndP99ComeFromTheDifferenceOfTwoSnapshots) {
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    top::Snapshot before{{sample_pool()}, t0};
    top::Snapshot now{{sample_pool()}, t0 + 2s};
    PoolStats& p = now.pools[0];
    p.counters.claims += 50;
    p.backends[0].counters.claims += 50;
    p.backends[0].counters.ejections = 4;
    for (int i = 0; i < 50; ++i) p.claim_wait.record(50us);
    p.backends[0].claim_wait = p.claim_wait;
    BackendStats fresh;
    fresh.key = "127.0.0.1:10002";
    fresh.state = BackendState::Online;
    p.backends.push_back(fresh);

    const top::Frame frame = render_one(now, before);
    const std::string text = joined(frame);
    EXPECT_EQ(frame.lines.front().text, "title  sort key");
    EXPECT_NE(text.find("claims/s 25.0  p99 51.2us  timeouts 3"), std::string::npos) << text;
    // key, state, priority, weight, idle, claimed, connecting, failures,
    // ejections, ejected for, claims/s, p99, last error.
    EXPECT_TRUE(std::regex_search(
        text, std::regex(R"(127\.0\.0\.1:10001 +failing +2 +30 +2 +1 +0 +7 +4 +1\.5s +25\.0 +51\.2us +refused "quoted")")))
        << text;
    // New since the last poll: no rate yet.
    EXPECT_TRUE(std::regex_search(text, std::regex(R"(127\.0\.0\.1:10002 +online +0 +1 +0 +0 +0 +0 +0 +- +- +-)")))
        << text;
    EXPECT_TRUE(std::regex_search(text, std::regex(
        R"(BACKEND +STATE +PRIO +WEIGHT +IDLE +CLAIMED +CONN +FAILS +EJECTS +EJECTED +CLAIMS/S +P99 +LAST ERROR)")))
        << text;
}

TEST(CueballTopFrame, WithoutAnEarlierSnapshotRatesAreDashes) {
    const top::Snapshot now{{sample_pool()}, std::chrono::steady_clock::now()};
    const std::string text = joined(render_one(now, std::nullopt));
    EXPECT_NE(text.find("claims/s -  p99 -"), std::string::npos) << text;
}

TEST(CueballTopFrame, PoolFilterAndEmptyResults) {
    const top::Snapshot now{{sample_pool()}, std::chrono::steady_clock::now()};
    EXPECT_EQ(render_one(now, std::nullopt, {}, {}, "orders").lines.size(),
              render_one(now, std::nullopt).lines.size());
    EXPECT_EQ(render_one(now, std::nullopt, {}, {}, "other").lines.back().text, "no pool named 'other'");
    EXPECT_EQ(render_one(top::Snapshot{}, std::nullopt).lines.back().text, "no pools registered");
}

// A pool of `n` online backends "10.0.0.<i>:5432", keys in order.
PoolStats pool_of(const std::string& name, std::size_t n) {
    PoolStats p;
    p.name = name;
    for (std::size_t i = 0; i < n; ++i) {
        BackendStats b;
        b.key = fmt::format("10.{}.{}.{}:5432", i / 65536, i / 256 % 256, i % 256);
        b.state = BackendState::Online;
        p.backends.push_back(b);
    }
    return p;
}

std::vector<std::string> backend_keys(const top::Frame& frame) {
    std::vector<std::string> keys;
    for (const top::Line& l : frame.lines) {
        if (l.kind != top::Line::Kind::Backend) continue;
        std::smatch m;
        if (std::regex_search(l.text, m, std::regex(R"(^ *(\S+))"))) keys.push_back(m[1]);
    }
    return keys;
}

std::vector<std::string> lines_of(const top::Frame& frame, top::Line::Kind kind) {
    std::vector<std::string> out;
    for (const top::Line& l : frame.lines) {
        if (l.kind == kind && !l.text.empty()) out.push_back(l.text);
    }
    return out;
}

// Four backends that each sort first by a different key.
struct SortFixture {
    top::Snapshot before, now;
    SortFixture() {
        const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
        PoolStats p;
        p.name = "sorted";
        struct Spec {
            const char* key;
            BackendState state;
            std::uint64_t failures;
            int claims;
            std::chrono::nanoseconds wait;
            std::uint16_t priority;
            std::uint64_t ejections;
        };
        const Spec specs[] = {
            {"a:1", BackendState::Online, 0, 20, 1ms, 1, 0},
            {"b:1", BackendState::Dead, 9, 0, 0ns, 0, 2},
            {"c:1", BackendState::Failing, 3, 60, 10us, 2, 1},
            {"d:1", BackendState::Ejected, 1, 40, 100ms, 0, 5},
        };
        for (const Spec& s : specs) {
            BackendStats b;
            b.key = s.key;
            b.state = s.state;
            b.connect_failures = s.failures;
            b.backend.priority = s.priority;
            b.counters.ejections = s.ejections;
            p.backends.push_back(b);
        }
        before = {{p}, t0};
        for (std::size_t i = 0; i < p.backends.size(); ++i) {
            BackendStats& b = p.backends[i];
            b.counters.claims = static_cast<std::uint64_t>(specs[i].claims);
            for (int k = 0; k < specs[i].claims; ++k) b.claim_wait.record(specs[i].wait);
        }
        now = {{p}, t0 + 2s};
    }
};

TEST(CueballTopFrame, EachSortKeyOrdersTheRows) {
    const SortFixture f;
    struct Case {
        top::SortKey key;
        bool reverse;
        std::vector<std::string> order;
    };
    const Case cases[] = {
        {top::SortKey::Key, false, {"a:1", "b:1", "c:1", "d:1"}},
        {top::SortKey::Key, true, {"d:1", "c:1", "b:1", "a:1"}},
        {top::SortKey::State, false, {"b:1", "d:1", "c:1", "a:1"}},  // dead, ejected, failing, online
        {top::SortKey::Failures, false, {"b:1", "c:1", "d:1", "a:1"}},
        {top::SortKey::Claims, false, {"c:1", "d:1", "a:1", "b:1"}},  // 30, 20, 10, 0 per s
        {top::SortKey::Claims, true, {"b:1", "a:1", "d:1", "c:1"}},
        {top::SortKey::P99, false, {"d:1", "a:1", "c:1", "b:1"}},  // b has no claims: no p99, last
        {top::SortKey::Priority, false, {"b:1", "d:1", "a:1", "c:1"}},  // ties by key
        {top::SortKey::Ejections, false, {"d:1", "b:1", "c:1", "a:1"}},
    };
    for (const Case& c : cases) {
        top::ViewState state;
        state.sort = c.key;
        state.reverse = c.reverse;
        const top::Frame frame = render_one(f.now, f.before, state, {120, 30, true});
        EXPECT_EQ(backend_keys(frame), c.order) << top::to_string(c.key) << (c.reverse ? " reversed" : "");
        EXPECT_NE(frame.lines.front().text.find(std::string("sort ") + top::to_string(c.key)), std::string::npos);
    }
}

TEST(CueballTopFrame, FilterMatchesKeyOrStateIgnoringCase) {
    const SortFixture f;
    struct Case {
        std::string filter;
        std::vector<std::string> keys;
    };
    const Case cases[] = {
        {"", {"a:1", "b:1", "c:1", "d:1"}}, {"dead", {"b:1"}},  {"EJECT", {"d:1"}},
        {"c:", {"c:1"}},                    {":1", {"a:1", "b:1", "c:1", "d:1"}}, {"nothing", {}},
    };
    for (const Case& c : cases) {
        top::ViewState state;
        state.filter = c.filter;
        const top::Frame frame = render_one(f.now, f.before, state, {120, 30, true});
        EXPECT_EQ(backend_keys(frame), c.keys) << c.filter;
        if (!c.filter.empty()) {
            EXPECT_NE(frame.lines.front().text.find("filter '" + c.filter + "'"), std::string::npos);
            EXPECT_NE(joined(frame).find(fmt::format("backends 4 ({} match)", c.keys.size())), std::string::npos)
                << joined(frame);
        }
    }
    top::ViewState none;
    none.filter = "nothing";
    EXPECT_NE(joined(render_one(f.now, f.before, none, {120, 30, true})).find("no backend matches 'nothing'"),
              std::string::npos);
    // The filter being typed applies at once.
    top::ViewState typing;
    typing.typing = "dea";
    const top::Frame frame = render_one(f.now, f.before, typing, {120, 30, true});
    EXPECT_EQ(backend_keys(frame), std::vector<std::string>{"b:1"});
    EXPECT_EQ(frame.lines.back().text.rfind("filter: dea_", 0), 0u) << frame.lines.back().text;
}

TEST(CueballTopFrame, RowsThatDoNotFitAreMarkedAboveAndBelow) {
    const top::Snapshot now{{pool_of("big", 100)}, {}};
    const top::Terminal terminal{120, 20, true};
    // 20 lines: title, columns, the pool's summary, 16 for rows, key line.
    struct Case {
        std::size_t offset;
        std::string first_key;
        std::size_t rows;
        std::vector<std::string> marks;
    };
    const Case cases[] = {
        {0, "10.0.0.0:5432", 15, {"  -- 85 more below --"}},
        {1, "10.0.0.1:5432", 14, {"  -- 1 more above --", "  -- 85 more below --"}},
        {40, "10.0.0.40:5432", 14, {"  -- 40 more above --", "  -- 46 more below --"}},
        {85, "10.0.0.85:5432", 15, {"  -- 85 more above --"}},
        {86, "10.0.0.85:5432", 15, {"  -- 85 more above --"}},  // clamped
        {1000, "10.0.0.85:5432", 15, {"  -- 85 more above --"}},
    };
    for (const Case& c : cases) {
        top::ViewState state;
        state.scroll["127.0.0.1:9100/big"] = c.offset;
        const top::Frame frame = render_one(now, std::nullopt, state, terminal);
        ASSERT_EQ(frame.lines.size(), 20u) << c.offset;
        const std::vector<std::string> keys = backend_keys(frame);
        ASSERT_EQ(keys.size(), c.rows) << c.offset << "\n" << joined(frame);
        EXPECT_EQ(keys.front(), c.first_key) << c.offset;
        EXPECT_EQ(lines_of(frame, top::Line::Kind::Mark), c.marks) << c.offset;
        // The summary stays on the third line however far the rows scroll.
        EXPECT_EQ(frame.lines[2].kind, top::Line::Kind::Pool);
        EXPECT_EQ(frame.lines[2].text.rfind("pool big", 0), 0u);
        ASSERT_EQ(frame.viewports.size(), 1u);
        EXPECT_EQ(frame.viewports[0].max_offset, 85u);
        EXPECT_EQ(frame.viewports[0].offset, std::min<std::size_t>(c.offset, 85));
    }
}

TEST(CueballTopFrame, ScrollKeysStayWithinTheRows) {
    const top::Snapshot now{{pool_of("big", 100)}, {}};
    const top::Terminal terminal{120, 20, true};
    top::ViewState state;
    using Name = top::KeyPress::Name;
    const auto press = [&](Name name) {
        const top::Frame before = render_one(now, std::nullopt, state, terminal);
        EXPECT_TRUE(top::handle_key(state, {name}, before.viewports, before.widest, terminal.width));
        return render_one(now, std::nullopt, state, terminal).viewports.at(0).offset;
    };
    EXPECT_EQ(press(Name::Up), 0u);
    EXPECT_EQ(press(Name::Down), 1u);
    EXPECT_EQ(press(Name::PageDown), 15u);  // a page: 16 lines less two marks
    EXPECT_EQ(press(Name::End), 85u);
    EXPECT_EQ(press(Name::Down), 85u);
    EXPECT_EQ(press(Name::PageDown), 85u);
    EXPECT_EQ(press(Name::PageUp), 71u);
    EXPECT_EQ(press(Name::Home), 0u);
    EXPECT_EQ(press(Name::PageUp), 0u);
}

TEST(CueballTopFrame, SeveralPoolsEachKeepTheirSummaryAndScrollApart) {
    std::vector<top::Source> sources{
        {"127.0.0.1:9100", top::Snapshot{{pool_of("one", 100)}, {}}, std::nullopt, {}},
        {"127.0.0.1:9200", top::Snapshot{{pool_of("two", 100), pool_of("three", 0)}, {}}, std::nullopt, {}},
    };
    const top::Terminal terminal{120, 20, true};
    top::ViewState state;
    top::Frame frame = top::render("t", sources, "", state, terminal);
    ASSERT_EQ(frame.lines.size(), 20u);
    const std::vector<std::string> pools = lines_of(frame, top::Line::Kind::Pool);
    ASSERT_EQ(pools.size(), 3u) << joined(frame);
    EXPECT_EQ(pools[0].rfind("> pool one @ 127.0.0.1:9100 ", 0), 0u) << pools[0];
    EXPECT_EQ(pools[1].rfind("  pool two @ 127.0.0.1:9200 ", 0), 0u) << pools[1];
    EXPECT_EQ(pools[2].rfind("  pool three @ 127.0.0.1:9200 ", 0), 0u) << pools[2];
    EXPECT_NE(joined(frame).find("  no backends"), std::string::npos);
    // 17 body lines: 3 summaries, 1 note, 13 rows shared 7 (focused) and 6.
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Mark),
              (std::vector<std::string>{"  -- 94 more below --", "  -- 95 more below --"}));

    using Name = top::KeyPress::Name;
    EXPECT_TRUE(top::handle_key(state, {Name::Tab}, frame.viewports, frame.widest, terminal.width));
    frame = top::render("t", sources, "", state, terminal);
    EXPECT_TRUE(top::handle_key(state, {Name::End}, frame.viewports, frame.widest, terminal.width));
    frame = top::render("t", sources, "", state, terminal);
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Pool)[1].rfind("> pool two", 0), 0u);
    EXPECT_EQ(frame.viewports[0].offset, 0u);
    EXPECT_EQ(frame.viewports[1].offset, frame.viewports[1].max_offset);
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Mark),
              (std::vector<std::string>{"  -- 95 more below --", "  -- 94 more above --"}));
}

TEST(CueballTopFrame, MorePoolsThanLinesScrollTheSummariesToTheFocusedOne) {
    std::vector<PoolStats> pools;
    for (int i = 0; i < 30; ++i) pools.push_back(pool_of(fmt::format("p{:02}", i), 3));
    const top::Snapshot now{pools, {}};
    top::ViewState state;
    state.focus = 20;
    const top::Frame frame = render_one(now, std::nullopt, state, {100, 12, true});
    ASSERT_EQ(frame.lines.size(), 12u);
    EXPECT_EQ(frame.viewports.size(), 30u);
    const std::vector<std::string> shown = lines_of(frame, top::Line::Kind::Pool);
    EXPECT_TRUE(std::any_of(shown.begin(), shown.end(), [](const std::string& l) { return l.rfind("> pool p20", 0) == 0; }))
        << joined(frame);
    const std::vector<std::string> marks = lines_of(frame, top::Line::Kind::Mark);
    ASSERT_FALSE(marks.empty());
    EXPECT_NE(marks.front().find("more pools above"), std::string::npos) << joined(frame);
}

TEST(CueballTopFrame, ShortAndNarrowTerminalsGetWhatFits) {
    const top::Snapshot now{{pool_of("big", 100)}, {}};
    struct Case {
        std::size_t width, height;
        std::vector<top::Line::Kind> kinds;
    };
    using K = top::Line::Kind;
    const Case cases[] = {
        {80, 1, {K::Status}},
        {80, 2, {K::Title, K::Status}},
        {80, 3, {K::Title, K::Columns, K::Status}},
        {80, 4, {K::Title, K::Columns, K::Pool, K::Status}},
        {80, 5, {K::Title, K::Columns, K::Pool, K::Mark, K::Status}},
        {80, 6, {K::Title, K::Columns, K::Pool, K::Backend, K::Mark, K::Status}},
        {1, 7, {K::Title, K::Columns, K::Pool, K::Backend, K::Backend, K::Mark, K::Status}},
    };
    for (const Case& c : cases) {
        const top::Frame frame = render_one(now, std::nullopt, {}, {c.width, c.height, true});
        std::vector<K> kinds;
        for (const top::Line& l : frame.lines) {
            kinds.push_back(l.kind);
            EXPECT_LE(top::columns(l.text), c.width) << l.text;
        }
        EXPECT_EQ(kinds, c.kinds) << c.width << "x" << c.height << "\n" << joined(frame);
    }
    // Width 0 and height 0 are "no limit" (--once); a 1x1 terminal gets one cell.
    const top::Frame tiny = render_one(now, std::nullopt, {}, {1, 1, true});
    ASSERT_EQ(tiny.lines.size(), 1u);
    EXPECT_EQ(tiny.lines[0].text, "q");
    // Height 2 at a middle offset: one row and a mark counting both ways.
    top::ViewState middle;
    middle.scroll["127.0.0.1:9100/big"] = 50;
    EXPECT_EQ(lines_of(render_one(now, std::nullopt, middle, {80, 6, true}), K::Mark),
              std::vector<std::string>{"  -- 50 more above, 49 below --"});
}

TEST(CueballTopFrame, ZeroBackendsAndHelp) {
    const top::Snapshot now{{pool_of("empty", 0)}, {}};
    const top::Frame frame = render_one(now, std::nullopt, {}, {100, 20, true});
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Note), std::vector<std::string>{"  no backends"});
    // Padded: the key line is the terminal's last.
    ASSERT_EQ(frame.lines.size(), 20u);
    EXPECT_EQ(frame.lines.back().kind, top::Line::Kind::Status);
    EXPECT_TRUE(lines_of(frame, top::Line::Kind::Mark).empty());
    ASSERT_EQ(frame.viewports.size(), 1u);
    EXPECT_EQ(frame.viewports[0].rows, 0u);

    top::ViewState help;
    help.help = true;
    const top::Frame shown = render_one(now, std::nullopt, help, {100, 20, true});
    EXPECT_EQ(lines_of(shown, top::Line::Kind::Help).front(), "Keys");
    EXPECT_EQ(shown.lines.back().text, "any key closes the help, q quits");
    // Shorter than the help: it is cut with a mark.
    const top::Frame cut = render_one(now, std::nullopt, help, {100, 8, true});
    EXPECT_EQ(cut.lines.size(), 8u);
    EXPECT_EQ(lines_of(cut, top::Line::Kind::Mark).size(), 1u);
}

TEST(CueballTopFrame, TenThousandBackends) {
    const top::Snapshot now{{pool_of("huge", 10'000)}, {}};
    const top::Frame frame = render_one(now, now, {}, {160, 40, true});
    ASSERT_EQ(frame.lines.size(), 40u);
    // 40 lines: title, columns, summary, 36 for rows (35 and a mark), key line.
    EXPECT_EQ(backend_keys(frame).size(), 35u);
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Mark), std::vector<std::string>{"  -- 9965 more below --"});
    EXPECT_EQ(frame.viewports.at(0).max_offset, 10'000u - 35u);
    top::ViewState end;
    end.scroll["127.0.0.1:9100/huge"] = 1'000'000;
    EXPECT_EQ(backend_keys(render_one(now, now, end, {160, 40, true})).back(), "10.0.39.15:5432");
    // --once lists them all.
    EXPECT_EQ(backend_keys(render_one(now, now)).size(), 10'000u);
}

TEST(CueballTopFrame, NamesAreMadePrintableAndLongOnesKeepTheirPort) {
    PoolStats p = pool_of("na\x1b[2Jmes", 0);
    for (std::string key : {std::string("bad\xff\xfe:1"), std::string("esc\x1b[31mred:2"),
                            std::string("\xd0\xb1\xd1\x8d\xd0\xba:3"),
                            std::string(200, 'x') + ".example.com:5432"}) {
        BackendStats b;
        b.key = key;
        b.last_error = "line\nbreak\x9b";
        p.backends.push_back(b);
    }
    const top::Snapshot now{{p}, {}};
    for (bool utf8 : {true, false}) {
        const top::Frame frame = render_one(now, std::nullopt, {}, {0, 30, utf8});
        const std::string text = joined(frame);
        for (const top::Line& l : frame.lines) {
            EXPECT_EQ(top::printable(l.text, utf8), l.text) << l.text;
        }
        EXPECT_NE(text.find("bad??:1"), std::string::npos) << text;
        EXPECT_NE(text.find("esc?[31mred:2"), std::string::npos) << text;
        EXPECT_NE(text.find("pool na?[2Jmes"), std::string::npos) << text;
        EXPECT_NE(text.find("line?break?"), std::string::npos) << text;
        EXPECT_NE(text.find(utf8 ? "\xd0\xb1\xd1\x8d\xd0\xba:3" : "??????:3"), std::string::npos) << text;
        // Longer than the key column: its middle goes, its port stays.
        EXPECT_TRUE(std::regex_search(text, std::regex(R"(xxxx~x+\.example\.com:5432 )"))) << text;
        // Every backend line has its columns in the same place.
        std::size_t state_column = std::string::npos;
        for (const top::Line& l : frame.lines) {
            if (l.kind != top::Line::Kind::Backend) continue;
            const std::size_t bytes = l.text.find(" connecting ");
            ASSERT_NE(bytes, std::string::npos) << l.text;
            const std::size_t column = top::columns(std::string_view(l.text).substr(0, bytes));
            if (state_column == std::string::npos) state_column = column;
            EXPECT_EQ(column, state_column) << l.text;
        }
    }
}

TEST(CueballTopFrame, AnEndpointThatFailsIsShownInItsPlace) {
    const top::Snapshot stale{{sample_pool()}, {}};
    const std::vector<top::Source> sources{
        {"127.0.0.1:9100", std::nullopt, std::nullopt, "connection refused"},
        {"127.0.0.1:9200", stale, std::nullopt, "timed out"},
    };
    const top::Frame frame = top::render("t", sources, "", {}, {120, 20, true});
    const std::vector<std::string> errors = lines_of(frame, top::Line::Kind::Error);
    EXPECT_EQ(errors, (std::vector<std::string>{"endpoint 127.0.0.1:9100: poll failed, retrying: connection refused",
                                                "endpoint 127.0.0.1:9200: poll failed, retrying: timed out"}));
    // The last good numbers stay in view.
    EXPECT_EQ(lines_of(frame, top::Line::Kind::Pool).size(), 1u);
}

TEST(CueballTopFrame, WaitBoundsReadNaturally) {
    EXPECT_EQ(top::format_wait(0us), "<1us");
    EXPECT_EQ(top::format_wait(10us), "10us");
    EXPECT_EQ(top::format_wait(1500us), "1.5ms");
    EXPECT_EQ(top::format_wait(100'000us), "100ms");
    EXPECT_EQ(top::format_wait(12'300'000us), "12.3s");
}

}  // namespace
}  // namespace cueball::test
