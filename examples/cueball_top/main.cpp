// cueball-top: a live terminal view of the pools of running processes, read
// from their cueball::StatsServer (GET /stats) once an --interval.
#include "curses_view.hpp"
#include "frame.hpp"
#include "http_get.hpp"
#include "options.hpp"
#include "poller.hpp"
#include "snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace {

std::string url(const top::Endpoint& e) { return "http://" + e.label() + "/stats"; }

// One fetch waits at most this long, so that a hung endpoint delays the
// others' polls by no more than an interval (or two seconds).
std::chrono::milliseconds fetch_timeout(const top::Options& o) {
    return std::min(o.interval, std::chrono::milliseconds(2'000));
}

top::Snapshot fetch(const top::Endpoint& e, std::chrono::milliseconds timeout) {
    const std::string body = top::http_get(e.host, e.port, "/stats", timeout);
    return {top::parse_pools(body), std::chrono::steady_clock::now()};
}

// Polls every endpoint once; the first failure ends the program.
void poll_all_or_throw(const top::Options& o, std::vector<top::Source>& sources) {
    for (std::size_t i = 0; i < sources.size(); ++i) {
        try {
            top::Snapshot fresh = fetch(o.endpoints[i], fetch_timeout(o));
            sources[i].before = std::move(sources[i].now);
            sources[i].now = std::move(fresh);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot read " + url(o.endpoints[i]) + ": " + e.what());
        }
    }
}

// Two samples an interval apart, so that the rates have something to show.
int print_once(const top::Options& o, const std::string& title, std::vector<top::Source>& sources) {
    poll_all_or_throw(o, sources);
    std::this_thread::sleep_for(o.interval);
    poll_all_or_throw(o, sources);
    const top::Frame frame = top::render(title, sources, o.pool, top::initial_view(o), {});
    for (const top::Line& line : frame.lines) std::cout << line.text << '\n';
    std::cout.flush();
    return o.pool.empty() || !frame.viewports.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    top::Options options;
    try {
        if (const auto help = top::parse_options(argc, argv, options)) {
            std::cout << *help;
            return 0;
        }
    } catch (const top::UsageError& e) {
        std::cerr << "cueball-top: " << e.what() << "\nRun 'cueball-top --help' for the flags.\n";
        return 2;
    }
    std::vector<top::Source> sources;
    for (const top::Endpoint& e : options.endpoints) sources.push_back({e.label(), {}, {}, {}});
    const std::string title = options.endpoints.size() == 1
                                  ? "cueball-top  " + url(options.endpoints[0])
                                  : "cueball-top  " + std::to_string(options.endpoints.size()) + " endpoints";
    try {
        if (options.once) return print_once(options, title, sources);
        poll_all_or_throw(options, sources);
    } catch (const std::exception& e) {
        std::cerr << "cueball-top: " << e.what() << "\n";
        return 1;
    }
    top::Poller poller(std::move(sources), options.interval,
                       [&](std::size_t index) { return fetch(options.endpoints[index], fetch_timeout(options)); });
    top::run_curses(options, title, poller);
    return 0;
}
