// The pool at work over simulated local backends: worker threads claim
// connections and run short "queries" while the main thread prints, every
// second, how the pool spreads its connections by SRV priority and weight
// and what state each backend is in. A fixed timeline then makes one
// preferred backend answer with errors (outlier detection ejects it and
// readmits it later), and takes all preferred backends down and back up (the
// lower-priority fallback takes over, and gives back).
#include "command_line.hpp"
#include "servers.hpp"
#include "table.hpp"

#include <cueball/cueball.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct Args {
    int seconds = 11;
    int threads = 8;
    std::size_t max_connections = 12;
};

// What happens when: each step runs right after the report of its second.
struct Step {
    int after_second;
    const char* what;
    std::function<void()> apply;
};

// `flaky` is 127.0.0.1:7003. The fleet's servers never move (a deque), so
// the steps may hold them.
std::vector<Step> timeline(demo::SimulatedFleet& fleet, demo::SimulatedServer& flaky) {
    auto set_preferred_down = [&fleet](bool down) {
        for (demo::SimulatedServer& server : fleet.servers()) {
            if (server.backend.priority == 0) server.down = down;
        }
    };
    return {
        {2,
         "127.0.0.1:7003 answers every query with an error: the workers discard its handles,\n"
         "    and 3 discards in a row make outlier detection eject it (its share moves)",
         [&flaky] { flaky.erroring = true; }},
        {4, "127.0.0.1:7003 answers correctly again; it is readmitted when its ejection ends",
         [&flaky] { flaky.erroring = false; }},
        {6,
         "the priority 0 backends 7001-7003 go down: their connections fail the check on claim\n"
         "    and their connects are refused; once they are dead 127.0.0.1:7004 (priority 1) takes over",
         [set_preferred_down] { set_preferred_down(true); }},
        {8,
         "7001-7003 are back: the pool's next probe of each finds it, and the connections move\n"
         "    back from 127.0.0.1:7004",
         [set_preferred_down] { set_preferred_down(false); }},
    };
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    CLI::App app{"The pool at work over four simulated local backends, reported every second.", "cueball-demo"};
    app.footer(
        "Timeline: 127.0.0.1:7003 answers with errors from 2 s to 4 s (ejected, then readmitted);\n"
        "the preferred backends 7001-7003 are down from 6 s to 8 s (127.0.0.1:7004, priority 1,\n"
        "takes over and gives back). A longer run goes on in the final state.");
    app.add_option("--seconds", args.seconds, "how long to run")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str()
        ->type_name("N");
    app.add_option("--threads", args.threads, "worker threads claiming connections")
        ->check(CLI::Range(1, 1'000))
        ->capture_default_str()
        ->type_name("N");
    app.add_option("--max-connections", args.max_connections, "the pool's size")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str()
        ->type_name("N");
    if (const auto status = cueball::examples::parse_command_line(app, argc, argv)) return *status;

    demo::SimulatedFleet fleet;
    fleet.add({"127.0.0.1", 7001, "preferred", 0, 2});
    fleet.add({"127.0.0.1", 7002, "preferred", 0, 1});
    demo::SimulatedServer& flaky = fleet.add({"127.0.0.1", 7003, "preferred", 0, 1});
    fleet.add({"127.0.0.1", 7004, "fallback", 1, 1});
    std::vector<cueball::Backend> backends;
    for (const demo::SimulatedServer& s : fleet.servers()) backends.push_back(s.backend);
    auto resolver = std::make_shared<cueball::StaticResolver>(backends);

    cueball::PoolOptions options;
    options.name = "demo";
    // The pool's warnings (ejected, dead, recovered) are part of the story:
    // on stdout between the reports, short enough for 100 columns.
    options.logger = std::make_shared<spdlog::logger>("demo", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    options.logger->set_pattern("  log: %v");
    options.logger->set_level(spdlog::level::warn);
    options.max_connections = args.max_connections;
    // Short timers, so that each step of the timeline shows within a second.
    options.backoff_max = 500ms;
    options.dead_after_failures = 2;
    options.health_check_interval = 500ms;
    options.validate_on_claim = true;
    options.validation_bypass_window = 0ms;
    options.outlier_detection.consecutive_failures = 3;
    options.outlier_detection.base_ejection_time = 2500ms;
    cueball::ConnectionPool<demo::SimulatedConnection> pool(options, resolver, [&fleet](const cueball::Backend& b) {
        return std::make_unique<demo::SimulatedConnection>(fleet.at(b));
    });

    std::printf(
        "cueball-demo: %d threads claim from a pool of %zu connections over 4 backends:\n"
        "  127.0.0.1:7001-7003 preferred (priority 0, weights 2:1:1), 127.0.0.1:7004 fallback "
        "(priority 1);\n"
        "  a backend is ejected after %zu discarded handles in a row, for %.1f s.\n",
        args.threads, args.max_connections, options.outlier_detection.consecutive_failures,
        static_cast<double>(options.outlier_detection.base_ejection_time.count()) / 1000.0);

    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> claims{0};
    // Started here, joined below once `done` is set; each waits on claim().
    std::vector<std::thread> workers;
    for (int t = 0; t < args.threads; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937 rng(static_cast<unsigned>(t));
            while (!done) {
                try {
                    auto conn = pool.claim(5s);
                    if (conn->query()) {
                        ++claims;
                    } else {
                        conn.discard();
                    }
                } catch (const cueball::PoolStopped&) {
                    return;
                } catch (const cueball::Error& e) {
                    std::fprintf(stderr, "worker %d: %s\n", t, e.what());
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 3));
            }
        });
    }

    const std::vector<Step> steps = timeline(fleet, flaky);
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t last = 0;
    for (int second = 1; second <= args.seconds; ++second) {
        std::this_thread::sleep_until(start + std::chrono::seconds(second));
        const std::uint64_t now = claims.load();
        demo::print_table(second, pool.stats(), now - last);
        last = now;
        for (const Step& step : steps) {
            if (step.after_second != second) continue;
            std::printf("--- %s\n", step.what);
            step.apply();
        }
        std::fflush(stdout);
    }
    done = true;
    for (auto& w : workers) w.join();
    pool.stop();
    std::printf("done: %llu claims\n", static_cast<unsigned long long>(claims.load()));
    return 0;
}
