// cueball-top's view state and the helpers under its frame: how keys change
// what is shown, names made printable and fitted to columns, the lines each
// block gets, the command line, and the poller with a fetch of the test's.
#include "layout.hpp"
#include "options.hpp"
#include "poller.hpp"
#include "text.hpp"
#include "view_state.hpp"

#include "support/eventually.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include <string>
#include <vector>

namespace cueball::test {
namespace {

using Name = top::KeyPress::Name;

TEST(CueballTopText, PrintableReplacesControlsAndBadBytes) {
    struct Case {
        std::string raw;
        std::string utf8, ascii;
    };
    const Case cases[] = {
        {"plain:1", "plain:1", "plain:1"},
        {"tab\there", "tab?here", "tab?here"},
        {"esc\x1b[0m", "esc?[0m", "esc?[0m"},
        {"del\x7f", "del?", "del?"},
        {"\xd0\xb1", "\xd0\xb1", "??"},                  // U+0431: valid
        {"\xc2\x9b", "??", "??"},                        // U+009B, a C1 control
        {"\xff", "?", "?"},                              // never valid
        {"\xe2\x82", "??", "??"},                        // cut short
        {"\xc0\xaf", "??", "??"},                        // overlong '/'
        {"\xed\xa0\x80", "???", "???"},                  // a surrogate
        {"\xf0\x9f\x90\x8d", "\xf0\x9f\x90\x8d", "????"},  // U+1F40D
    };
    for (const Case& c : cases) {
        EXPECT_EQ(top::printable(c.raw, true), c.utf8) << c.raw;
        EXPECT_EQ(top::printable(c.raw, false), c.ascii) << c.raw;
    }
}

TEST(CueballTopText, ClipAndFitCountCodePoints) {
    const std::string b = "\xd0\xb1";  // one column, two bytes
    EXPECT_EQ(top::columns("a" + b + "c"), 3u);
    EXPECT_EQ(top::clip("abcdef", 0, 3), "abc");
    EXPECT_EQ(top::clip("abcdef", 2, 3), "cde");
    EXPECT_EQ(top::clip("abcdef", 4, 10), "ef");
    EXPECT_EQ(top::clip("abc", 5, 2), "");
    EXPECT_EQ(top::clip("abc", 0, 0), "");
    EXPECT_EQ(top::clip(b + b + b, 1, 1), b);
    EXPECT_EQ(top::fit("ab", 4), "ab  ");
    EXPECT_EQ(top::fit(b, 2), b + " ");
    EXPECT_EQ(top::fit("abcdefghij:5432", 9), "abcd~5432");
    EXPECT_EQ(top::fit(b + b + b + b + b, 3), b + "~" + b);
    EXPECT_EQ(top::fit("abcdef", 2), "ab");
    EXPECT_EQ(top::fit("abcdef", 0), "");
}

TEST(CueballTopLayout, WindowShowsRowsAndMarks) {
    struct Case {
        std::size_t rows, height, offset;
        top::Window expected;  // first, count, above, below, max_offset
    };
    const Case cases[] = {
        {0, 5, 0, {0, 0, 0, 0, 0}},     {3, 5, 2, {0, 3, 0, 0, 0}},     {5, 5, 0, {0, 5, 0, 0, 0}},
        {6, 5, 0, {0, 4, 0, 2, 2}},     {6, 5, 1, {1, 3, 1, 2, 2}},     {6, 5, 2, {2, 4, 2, 0, 2}},
        {6, 5, 9, {2, 4, 2, 0, 2}},     {10, 0, 3, {0, 0, 0, 10, 0}},   {10, 1, 3, {0, 0, 0, 10, 0}},
        {10, 2, 0, {0, 1, 0, 9, 9}},    {10, 2, 4, {4, 1, 4, 5, 9}},    {10, 2, 99, {9, 1, 9, 0, 9}},
        {10, 3, 1, {1, 1, 1, 8, 8}},    {10, 3, 8, {8, 2, 8, 0, 8}},
    };
    for (const Case& c : cases) {
        const top::Window w = top::window(c.rows, c.height, c.offset);
        const auto trace = ::testing::Message() << c.rows << " rows in " << c.height << " from " << c.offset;
        EXPECT_EQ(w.first, c.expected.first) << trace;
        EXPECT_EQ(w.count, c.expected.count) << trace;
        EXPECT_EQ(w.above, c.expected.above) << trace;
        EXPECT_EQ(w.below, c.expected.below) << trace;
        EXPECT_EQ(w.max_offset, c.expected.max_offset) << trace;
        // Rows and marks never take more lines than the block has.
        const std::size_t marks = (w.above > 0) + (w.below > 0);
        EXPECT_LE(w.count + std::min<std::size_t>(marks, c.height - std::min(c.height, w.count)), c.height) << trace;
        EXPECT_EQ(w.above + w.count + w.below, c.rows) << trace;
    }
}

TEST(CueballTopLayout, LinesAreSharedShortestFirstAndFocusGetsTheRest) {
    struct Case {
        std::vector<std::size_t> wanted;
        std::size_t available, focus;
        std::vector<std::size_t> given;
    };
    const Case cases[] = {
        {{}, 10, 0, {}},
        {{3, 4}, 20, 0, {3, 4}},
        {{100, 100, 1}, 14, 0, {7, 6, 1}},
        {{100, 100, 1}, 14, 1, {6, 7, 1}},
        {{2, 50, 50}, 11, 2, {2, 4, 5}},
        {{5, 5}, 0, 0, {0, 0}},
        {{5, 5, 5}, 4, 1, {1, 2, 1}},
    };
    for (const Case& c : cases) EXPECT_EQ(top::share_lines(c.wanted, c.available, c.focus), c.given);
}

struct Keys {
    top::ViewState state;
    std::vector<top::Viewport> viewports{{"a", 50, 0, 40, 8}, {"b", 3, 0, 0, 1}};
    bool press(Name name, char ch = 0) { return top::handle_key(state, {name, ch}, viewports, 150, 100); }
    bool type(const std::string& text) {
        for (char c : text) {
            if (!press(Name::Char, c)) return false;
        }
        return true;
    }
};

TEST(CueballTopKeys, SortKeysCycleBothWaysAndReverse) {
    Keys k;
    std::vector<top::SortKey> seen;
    for (std::size_t i = 0; i < std::size(top::kSortKeys); ++i) {
        seen.push_back(k.state.sort);
        k.type("s");
    }
    EXPECT_EQ(seen, std::vector<top::SortKey>(std::begin(top::kSortKeys), std::end(top::kSortKeys)));
    EXPECT_EQ(k.state.sort, top::SortKey::Key);
    k.type("S");
    EXPECT_EQ(k.state.sort, top::SortKey::Ejections);
    k.type("r");
    EXPECT_TRUE(k.state.reverse);
    k.type("r");
    EXPECT_FALSE(k.state.reverse);
}

TEST(CueballTopKeys, FilterIsTypedAppliedLiveKeptOrCancelled) {
    Keys k;
    k.state.scroll["a"] = 30;
    k.type("/dea");
    ASSERT_TRUE(k.state.typing);
    EXPECT_EQ(k.state.active_filter(), "dea");
    EXPECT_TRUE(k.state.filter.empty());
    EXPECT_TRUE(k.state.scroll.empty());  // other rows: back to the top
    // While typing, q and the sort keys are text.
    EXPECT_TRUE(k.type("qs"));
    k.press(Name::Backspace);
    k.press(Name::Backspace);
    k.press(Name::Char, 'd');
    k.press(Name::Enter);
    EXPECT_FALSE(k.state.typing);
    EXPECT_EQ(k.state.filter, "dead");
    EXPECT_EQ(k.state.sort, top::SortKey::Key);
    // Esc while typing keeps the filter from before.
    k.type("/x");
    EXPECT_EQ(k.state.active_filter(), "deadx");
    k.press(Name::Escape);
    EXPECT_EQ(k.state.active_filter(), "dead");
    // Esc otherwise clears it.
    k.press(Name::Escape);
    EXPECT_EQ(k.state.active_filter(), "");
}

TEST(CueballTopKeys, HelpQuitFocusAndSideways) {
    Keys k;
    k.type("?");
    EXPECT_TRUE(k.state.help);
    k.press(Name::Down);  // any key closes the help, and does nothing else
    EXPECT_FALSE(k.state.help);
    EXPECT_EQ(k.state.scroll["a"], 0u);
    Keys quit;
    quit.type("h");
    EXPECT_TRUE(quit.state.help);
    EXPECT_FALSE(quit.press(Name::Char, 'q'));  // q quits from the help too
    EXPECT_FALSE(Keys{}.press(Name::Char, 'Q'));

    k.press(Name::Tab);
    EXPECT_EQ(k.state.focus, 1u);
    k.press(Name::Tab);
    EXPECT_EQ(k.state.focus, 0u);
    k.press(Name::BackTab);
    EXPECT_EQ(k.state.focus, 1u);
    k.press(Name::Down);  // block b has nothing to scroll
    EXPECT_EQ(k.state.scroll["b"], 0u);
    k.press(Name::BackTab);
    k.type("jjjk");
    EXPECT_EQ(k.state.scroll["a"], 2u);
    k.type("G");
    EXPECT_EQ(k.state.scroll["a"], 40u);
    k.type("g");
    EXPECT_EQ(k.state.scroll["a"], 0u);

    // 150 columns wide on a 100-column screen: 50 to the right at most.
    for (int i = 0; i < 10; ++i) k.press(Name::Right);
    EXPECT_EQ(k.state.shift, 50u);
    k.press(Name::Left);
    EXPECT_EQ(k.state.shift, 42u);
    for (int i = 0; i < 10; ++i) k.press(Name::Left);
    EXPECT_EQ(k.state.shift, 0u);
}

TEST(CueballTopKeys, NoPoolsNoCrash) {
    top::ViewState state;
    state.focus = 3;
    for (Name name : {Name::Up, Name::Down, Name::PageDown, Name::End, Name::Tab, Name::BackTab}) {
        EXPECT_TRUE(top::handle_key(state, {name}, {}, 0, 80));
    }
    EXPECT_EQ(state.focus, 0u);
}

// Parses a command line given as words, as a shell would pass them.
top::Options parse(std::vector<std::string> words) {
    words.insert(words.begin(), "cueball-top");
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    top::Options options;
    const auto help = top::parse_options(static_cast<int>(argv.size()), argv.data(), options);
    EXPECT_FALSE(help);
    return options;
}

std::string usage_error(std::vector<std::string> words) {
    try {
        parse(std::move(words));
    } catch (const top::UsageError& e) {
        return e.what();
    }
    return "accepted";
}

TEST(CueballTopOptions, FlagsTakeTheirValueEitherWay) {
    const top::Options a = parse({"--port=9100", "--sort=p99", "--interval=0.5", "--filter=dead", "--pool=orders"});
    const top::Options b = parse({"--port", "9100", "--sort", "p99", "--interval", "0.5", "--filter", "dead", "--pool",
                                  "orders"});
    for (const top::Options& o : {a, b}) {
        ASSERT_EQ(o.endpoints.size(), 1u);
        EXPECT_EQ(o.endpoints[0].label(), "127.0.0.1:9100");
        EXPECT_EQ(o.sort, top::SortKey::P99);
        EXPECT_EQ(o.interval, std::chrono::milliseconds(500));
        EXPECT_EQ(o.filter, "dead");
        EXPECT_EQ(o.pool, "orders");
        EXPECT_FALSE(o.once);
        const top::ViewState view = top::initial_view(o);
        EXPECT_EQ(view.sort, top::SortKey::P99);
        EXPECT_EQ(view.filter, "dead");
        EXPECT_FALSE(view.reverse);
    }
    EXPECT_TRUE(top::initial_view(parse({"1", "--reverse"})).reverse);
    EXPECT_TRUE(parse({"1", "--once"}).once);
}

TEST(CueballTopOptions, SeveralEndpoints) {
    const top::Options o =
        parse({"--host", "db.example", "9100", "10.0.0.1:9200", "[::1]:9300", "--port", "9400", "--port=9100"});
    std::vector<std::string> labels;
    for (const top::Endpoint& e : o.endpoints) labels.push_back(e.label());
    // A bare port and --port use --host; the same endpoint twice is shown once.
    EXPECT_EQ(labels, (std::vector<std::string>{"db.example:9100", "10.0.0.1:9200", "[::1]:9300", "db.example:9400"}));
    EXPECT_EQ(o.endpoints[2].host, "::1");
}

TEST(CueballTopOptions, ErrorsNameTheFlagAndWhatItTakes) {
    struct Case {
        std::vector<std::string> words;
        std::string says;
    };
    const Case cases[] = {
        {{}, "no endpoint"},
        {{"--port", "0"}, "--port: expected a port from 1 to 65535, got '0'"},
        {{"--port=x"}, "--port: expected a port from 1 to 65535, got 'x'"},
        {{"--port"}, "--port"},
        {{"--frobnicate", "--port", "1"}, "--frobnicate"},
        {{"--port", "1", "--sort", "fast"}, "--sort: expected one of key, state, failures, claims, p99, priority"},
        {{"--port", "1", "--interval", "0"}, "--interval: expected seconds from 0.1 to 60, got '0'"},
        {{"--port", "1", "--interval=soon"}, "--interval: expected seconds from 0.1 to 60, got 'soon'"},
        {{"host:"}, "ENDPOINT 'host:': expected a port from 1 to 65535"},
        {{"::1:80"}, "ENDPOINT '::1:80': expected [HOST:]PORT or [IPV6]:PORT"},
        {{"70000"}, "ENDPOINT '70000': expected a port from 1 to 65535"},
    };
    for (const Case& c : cases) {
        const std::string error = usage_error(c.words);
        EXPECT_NE(error.find(c.says), std::string::npos) << error;
    }
}

TEST(CueballTopOptions, HelpListsEveryFlag) {
    std::vector<std::string> words{"cueball-top", "--help"};
    std::vector<char*> argv{words[0].data(), words[1].data()};
    top::Options options;
    const auto help = top::parse_options(2, argv.data(), options);
    ASSERT_TRUE(help);
    for (const char* flag : {"--host", "--port", "--pool", "--once", "--interval", "--sort", "--reverse", "--filter",
                             "ENDPOINT", "Keys:"}) {
        EXPECT_NE(help->find(flag), std::string::npos) << flag;
    }
}

TEST(CueballTopPoller, PollsEachEndpointAndKeepsTheLastGoodSnapshotBesideAnError) {
    std::atomic<int> polls{0};
    std::atomic<bool> second_fails{true};
    std::vector<top::Source> sources{{"one", top::Snapshot{}, std::nullopt, {}}, {"two", top::Snapshot{}, std::nullopt, {}}};
    top::Poller poller(sources, std::chrono::milliseconds(10), [&](std::size_t index) {
        if (index == 1 && second_fails) throw std::runtime_error("down");
        top::Snapshot s;
        s.pools.resize(1);
        s.pools[0].name = "poll " + std::to_string(++polls);
        return s;
    });
    const auto first = poller.take_if_new();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->size(), 2u);
    std::vector<top::Source> seen;
    ASSERT_TRUE(eventually([&] {
        if (auto fresh = poller.take_if_new()) seen = std::move(*fresh);
        return seen.size() == 2 && seen[0].before && seen[0].before->pools.size() == 1 && !seen[1].error.empty();
    }));
    EXPECT_TRUE(seen[0].error.empty());
    EXPECT_EQ(seen[1].error, "down");
    EXPECT_TRUE(seen[1].now && seen[1].now->pools.empty());  // the snapshot from before the failures
    second_fails = false;
    ASSERT_TRUE(eventually([&] {
        if (auto fresh = poller.take_if_new()) seen = std::move(*fresh);
        return seen[1].error.empty() && seen[1].now->pools.size() == 1;
    }));
}

}  // namespace
}  // namespace cueball::test
