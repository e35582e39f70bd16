#include "options.hpp"

#include <cueball/backend.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>

namespace top {

namespace {

constexpr const char* kDescription =
    "Shows the pools of processes that run a cueball::StatsServer, read from\n"
    "http://ENDPOINT/stats and refreshed every --interval.";

constexpr const char* kFooter =
    "Each ENDPOINT is [HOST:]PORT or [IPV6]:PORT; --port PORT is the same as\n"
    "the ENDPOINT PORT on --host. Flags take their value as --flag=value or\n"
    "--flag value.\n"
    "Keys: q quit, ? help, s/S next/previous sort key, r reverse, / filter,\n"
    "Esc clear the filter, Tab next pool, arrows PgUp PgDn Home End scroll.\n"
    "Exit status: 0 ok, 1 an endpoint could not be read (or --once found no\n"
    "pool named --pool), 2 bad command line.";

std::uint16_t parse_port(const std::string& text, const std::string& what) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < 1 || value > 65535) {
        throw UsageError(what + ": expected a port from 1 to 65535, got '" + text + "'");
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

ViewState initial_view(const Options& options) {
    ViewState state;
    state.sort = options.sort;
    state.reverse = options.reverse;
    state.filter = options.filter;
    return state;
}

std::string Endpoint::label() const { return cueball::host_port(host, port); }

Endpoint parse_endpoint(const std::string& text, const std::string& default_host) {
    const std::string what = "ENDPOINT '" + text + "'";
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return {default_host, parse_port(text, what)};
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty() || host.find_first_of("[]") != std::string::npos ||
        (host.find(':') != std::string::npos && text.front() != '[')) {
        throw UsageError(what + ": expected [HOST:]PORT or [IPV6]:PORT");
    }
    return {host, parse_port(text.substr(colon + 1), what)};
}

std::optional<std::string> parse_options(int argc, char** argv, Options& options) {
    CLI::App app(kDescription, "cueball-top");
    app.footer(kFooter);
    app.get_formatter()->column_width(24);
    std::vector<std::string> ports;
    std::vector<std::string> endpoints;
    double interval_s = 1.0;
    std::string sort = to_string(options.sort);
    std::string sort_names;
    for (SortKey k : kSortKeys) sort_names += (sort_names.empty() ? "" : ", ") + std::string(to_string(k));

    app.add_option("ENDPOINT", endpoints, "a stats server: [HOST:]PORT or [IPV6]:PORT; several allowed")
        ->type_name("");
    app.add_option("--host", options.host, "host for --port and for an ENDPOINT without one")
        ->capture_default_str()
        ->check([](const std::string& h) { return h.empty() ? std::string("must not be empty") : std::string(); });
    app.add_option("--port", ports, "port of a stats server on --host; may be repeated")
        ->type_name("PORT");
    app.add_option("--pool", options.pool, "show only the pools of this name")->type_name("NAME");
    app.add_flag("--once", options.once,
                 "print every row once as plain text and exit; two samples one --interval apart, for the rates");
    app.add_option("--interval", interval_s, "seconds between polls, 0.1 to 60 (default 1)")
        ->type_name("SECONDS")
        ->check([](const std::string& text) {
            double v = 0;
            const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            const bool ok = ec == std::errc() && ptr == text.data() + text.size() && v >= 0.1 && v <= 60;
            return ok ? std::string() : "expected seconds from 0.1 to 60, got '" + text + "'";
        });
    app.add_option("--sort", sort, "initial sort key: " + sort_names + " (default key)")
        ->type_name("KEY")
        ->check([&](const std::string& text) {
            for (SortKey k : kSortKeys) {
                if (text == to_string(k)) return std::string();
            }
            return "expected one of " + sort_names + ", got '" + text + "'";
        });
    app.add_flag("--reverse", options.reverse, "reverse the initial sort order");
    app.add_option("--filter", options.filter, "initial filter: a substring of backend key or state")
        ->type_name("TEXT");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return app.help();
    } catch (const CLI::ParseError& e) {
        throw UsageError(e.what());
    }
    options.interval = std::chrono::milliseconds(static_cast<std::int64_t>(interval_s * 1000));
    for (SortKey k : kSortKeys) {
        if (sort == to_string(k)) options.sort = k;
    }
    for (const std::string& e : endpoints) options.endpoints.push_back(parse_endpoint(e, options.host));
    for (const std::string& port : ports) options.endpoints.push_back({options.host, parse_port(port, "--port")});
    // The same endpoint twice would show each of its pools twice.
    std::vector<Endpoint> unique;
    for (Endpoint& e : options.endpoints) {
        const auto same = [&](const Endpoint& u) { return u.label() == e.label(); };
        if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(std::move(e));
    }
    options.endpoints = std::move(unique);
    if (options.endpoints.empty()) throw UsageError("no endpoint: give --port PORT or ENDPOINT ([HOST:]PORT)");
    return std::nullopt;
}

}  // namespace top
