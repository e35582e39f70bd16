// cueball_sim: a deterministic simulator of the pool's model. Each seed
// draws pool options and a run of steps (claims, releases, cancellations,
// resolver bursts and flaps, connects that fail or hang, failing checks and
// resets, resize, refresh, stop) that drive lib/model's PoolModel on one
// thread in virtual time; the invariants (checker.hpp) are checked after
// every step. A failure prints its seed and the shortest run of steps found
// that still fails the same way; the same seed and step count replay it.
//
//   cueball_sim [--seed N] [--seeds N] [--steps N] [--shrink-seconds N] [--plant BUG] [--expect-failure]
//
// --seeds runs seeds N, N+1, ...; --steps is per seed; --shrink-seconds
// bounds the search for a shorter failing run (20 s); --plant switches on a bug of
// lib/model/planted_bug.hpp (keep-failed-check, serve-second-waiter);
// --expect-failure succeeds only if some seed fails (for the planted bugs).
#include "model/planted_bug.hpp"
#include "run.hpp"

#include <spdlog/fmt/fmt.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

namespace {

using namespace cueball::sim;
using cueball::detail::PlantedBug;

struct Args {
    std::uint64_t seed = 1;
    std::uint64_t seeds = 1;
    std::size_t steps = 10'000;
    PlantedBug plant = PlantedBug::none;
    const char* plant_name = nullptr;
    bool expect_failure = false;
    std::chrono::seconds shrink{20};
};

[[noreturn]] void usage(const std::string& why) {
    fmt::print(stderr,
               "cueball_sim: {}\n"
               "usage: cueball_sim [--seed N] [--seeds 1..1000000] [--steps 1..100000000] [--shrink-seconds 0..3600]\n"
               "                   [--plant keep-failed-check|serve-second-waiter] [--expect-failure]\n",
               why);
    std::exit(2);
}

std::uint64_t number(const char* flag, const char* text, std::uint64_t lo, std::uint64_t hi) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
        usage(fmt::format("{} takes a whole number {} .. {} (got '{}')", flag, lo, hi, text));
    }
    return v;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--expect-failure") {
            a.expect_failure = true;
            continue;
        }
        if (i + 1 >= argc) usage(fmt::format("{} needs a value", flag));
        const char* value = argv[++i];
        if (flag == "--seed") {
            a.seed = number("--seed", value, 0, UINT64_MAX);
        } else if (flag == "--seeds") {
            a.seeds = number("--seeds", value, 1, 1'000'000);
        } else if (flag == "--shrink-seconds") {
            a.shrink = std::chrono::seconds(number("--shrink-seconds", value, 0, 3600));
        } else if (flag == "--steps") {
            a.steps = number("--steps", value, 1, 100'000'000);
        } else if (flag == "--plant") {
            a.plant_name = value;
            if (std::strcmp(value, "keep-failed-check") == 0) {
                a.plant = PlantedBug::keep_failed_check;
            } else if (std::strcmp(value, "serve-second-waiter") == 0) {
                a.plant = PlantedBug::serve_second_waiter;
            } else {
                usage(fmt::format("--plant takes keep-failed-check or serve-second-waiter (got '{}')", value));
            }
        } else {
            usage(fmt::format("unknown argument '{}'", flag));
        }
    }
    return a;
}

void report(const Args& a, const SimConfig& config, const RunResult& run) {
    const Violation& v = *run.violation;
    fmt::print("seed {}: invariant '{}' violated after step {}: {}\n", config.seed, v.invariant, run.trace.size(), v.detail);
    fmt::print("pool: {}\n", describe(config));
    fmt::print("replay: cueball_sim --seed {} --steps {}{}\n", config.seed, run.trace.size(),
               a.plant_name != nullptr ? fmt::format(" --plant {}", a.plant_name) : std::string());
    const std::vector<Op> shrunk = shrink(config, run.trace, v, a.shrink);
    fmt::print("shortest run found that fails the same way ({} of {} steps):\n", shrunk.size(), run.trace.size());
    const RunResult again = replay(config, shrunk, stdout);
    if (again.violation) fmt::print("  -> '{}': {}\n", again.violation->invariant, again.violation->detail);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const Args a = parse(argc, argv);
    cueball::detail::planted_bug = a.plant;
    // Time spent running seeds, not shrinking a failure.
    std::chrono::steady_clock::duration spent{};
    std::size_t steps = 0;
    std::optional<std::uint64_t> failed;
    for (std::uint64_t s = a.seed; s - a.seed < a.seeds; ++s) {
        const SimConfig config = make_config(s);
        const auto began = std::chrono::steady_clock::now();
        const RunResult run = run_seed(config, a.steps);
        spent += std::chrono::steady_clock::now() - began;
        steps += run.steps;
        if (run.violation) {
            report(a, config, run);
            failed = s;
            break;
        }
    }
    const double seconds = std::chrono::duration<double>(spent).count();
    fmt::print("{} steps in {:.2f} s ({:.0f} steps/s){}\n", steps, seconds, static_cast<double>(steps) / std::max(seconds, 1e-9),
               failed ? fmt::format(", stopped at seed {}", *failed) : std::string(", no violation"));
    if (a.expect_failure) {
        if (!failed) fmt::print("expected a violation (planted bug {}), found none\n", a.plant_name ? a.plant_name : "none");
        return failed ? 0 : 1;
    }
    return failed ? 1 : 0;
}
