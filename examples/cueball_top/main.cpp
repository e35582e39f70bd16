// cueball-top: a live terminal view of the pools of a running process, read
// from its cueball::StatsServer (GET /stats) once a second.
#include "curses_view.hpp"
#include "frame.hpp"
#include "http_get.hpp"
#include "options.hpp"
#include "snapshot.hpp"

#include <cueball/backend.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <thread>

namespace {

constexpr std::chrono::milliseconds kFetchTimeout{2'000};

std::string url(const top::Options& o) {
    return "http://" + cueball::host_port(o.host, o.port) + "/stats";
}

top::Snapshot poll(const top::Options& o) {
    const std::string body = top::http_get(o.host, o.port, "/stats", kFetchTimeout);
    return {top::parse_pools(body), std::chrono::steady_clock::now()};
}

// Two samples a second apart, so that the rates have something to show.
int print_once(const top::Options& o, const std::string& title) {
    const top::Snapshot first = poll(o);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const top::Snapshot second = poll(o);
    for (const top::Line& line : top::render(title, second, first, o.pool)) std::cout << line.text << '\n';
    std::cout.flush();
    const bool found = o.pool.empty() || std::any_of(second.pools.begin(), second.pools.end(),
                                                     [&](const cueball::PoolStats& p) { return p.name == o.pool; });
    return found ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    top::Options options;
    try {
        if (!top::parse_options(argc, argv, options)) {
            std::cout << top::kUsage;
            return 0;
        }
    } catch (const top::UsageError& e) {
        std::cerr << "cueball-top: " << e.what() << "\n" << top::kUsage;
        return 2;
    }
    const std::string title = "cueball-top  " + url(options);
    try {
        if (options.once) return print_once(options, title);
        top::Snapshot first = poll(options);
        top::run_curses(options, title, std::move(first), [&] { return poll(options); });
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "cueball-top: cannot read " << url(options) << ": " << e.what() << "\n";
        return 1;
    }
}
