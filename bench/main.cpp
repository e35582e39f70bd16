// cueball-bench: runs the workloads of BENCHMARKS.md against cueball's pool
// and prints one greppable line per workload; --json also writes them to a
// file. See docs/performance.md for how to run it and read the results.
#include "command_line.hpp"
#include "harness.hpp"
#include "workloads.hpp"

#include <cueball/version.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Workload {
    const char* id;
    const char* name;
    void (*run)(const bench::Settings&, bench::Reporter&);
};

#if !defined(CUEBALL_BENCH_POSTGRES)
void w7_not_built(const bench::Settings&, bench::Reporter& r) {
    r.skip("W7", "real_database", "cueball-bench was built without cueball::postgres");
}
#endif

const std::vector<Workload>& workloads() {
    static const std::vector<Workload> all{
        {"W1", "uncontended", bench::run_w1},
        {"W2", "oversubscribed", bench::run_w2},
        {"W2B", "oversubscribed_bounded", bench::run_w2b},
        {"W3", "ample", bench::run_w3},
        {"W4", "large_pool", bench::run_w4},
        {"W5", "handoff", bench::run_w5},
        {"W5B", "handoff_bounded", bench::run_w5b},
        {"W6", "failover", bench::run_w6},
#if defined(CUEBALL_BENCH_POSTGRES)
        {"W7", "real_database", bench::run_w7},
#else
        {"W7", "real_database", w7_not_built},
#endif
        {"W8", "churn", bench::run_w8},
        {"W9", "memory", bench::run_w9},
        {"W10", "stats_poll", bench::run_w10},
    };
    return all;
}

// CLI::Range would print the bounds with six decimals ("0.010000").
CLI::Validator seconds_in(double min, double max) {
    auto shortest = [](double v) {
        std::ostringstream out;
        out << v;
        return out.str();
    };
    const std::string from = shortest(min), to = shortest(max);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            double value = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || !(value >= min) || value > max) {
                return "wants seconds from " + from + " to " + to + ", not '" + text + "'";
            }
            return {};
        },
        "in [" + from + " - " + to + "]");
}

std::vector<std::string> parse_only(const std::string& text) {
    std::vector<std::string> ids;
    for (std::size_t a = 0, b; a <= text.size(); a = b + 1) {
        b = std::min(text.find(',', a), text.size());
        std::string id = text.substr(a, b - a);
        for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const auto& all = workloads();
        if (std::none_of(all.begin(), all.end(), [&](const Workload& w) { return id == w.id; })) {
            throw CLI::ValidationError("--only", "unknown workload '" + id + "' (known: W1, W2, W2B, W3, W4, W5, W5B, W6 to W10)");
        }
        ids.push_back(id);
    }
    return ids;
}

struct Args {
    bench::Settings settings;
    std::vector<std::string> only;
    std::string json;
};

// Returns the status to exit with when the benchmarks should not run.
std::optional<int> parse_args(int argc, char** argv, Args& args) {
    CLI::App app{"Runs the benchmark workloads W1-W10 (and W2B, W5B) against cueball's pool and prints one line per\n"
                 "workload, e.g. 'peer=cueball W1 uncontended ns_per_op=41.2 ...'.",
                 "cueball-bench"};
    bool quick = false;
    std::optional<double> secs, warm;
    app.add_flag("--quick", quick, "everything in about 30 s: --secs 0.25 --warm 0.1, one run of W8");
    app.add_option_function<std::string>(
           "--only", [&args](const std::string& list) { args.only = parse_only(list); },
           "comma-separated workload ids (default: all)")
        ->type_name("LIST");
    app.add_option_function<std::string>(
           "--secs", [&secs](const std::string& text) { secs = std::stod(text); }, "seconds timed per repeat")
        ->check(seconds_in(0.01, 3600))
        ->default_str("1")
        ->type_name("S");
    app.add_option_function<std::string>(
           "--warm", [&warm](const std::string& text) { warm = std::stod(text); },
           "untimed seconds before the repeats")
        ->check(seconds_in(0, 3600))
        ->default_str("0.5")
        ->type_name("S");
    app.add_option("--repeats", args.settings.repeats, "timed repeats; the median is reported")
        ->check(CLI::Range(1, 100))
        ->capture_default_str()
        ->type_name("N");
    app.add_option_function<std::string>(
           "--json",
           [&args](const std::string& file) {
               // Found out now rather than after minutes of measuring.
               if (file.empty() || !std::ofstream(file)) {
                   throw CLI::ValidationError("--json", "cannot write '" + file + "'");
               }
               args.json = file;
           },
           "also write the results as JSON to FILE")
        ->type_name("FILE");
    if (const auto status = cueball::examples::parse_command_line(app, argc, argv)) return status;
    // --quick sets the defaults; explicit --secs and --warm still win.
    args.settings.quick = quick;
    args.settings.secs = secs.value_or(quick ? 0.25 : args.settings.secs);
    args.settings.warm = warm.value_or(quick ? 0.1 : args.settings.warm);
    return std::nullopt;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) == 0) {
            const std::size_t colon = line.find(':');
            if (colon != std::string::npos) return line.substr(std::min(colon + 2, line.size()));
        }
    }
    return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (const auto status = parse_args(argc, argv, args)) return *status;
    bench::leave_single_thread_mode();

    const std::vector<std::pair<std::string, std::string>> context{
        {"cueball_version", CUEBALL_VERSION},
        {"build_type", CUEBALL_BENCH_BUILD_TYPE},
        {"cpu", cpu_model()},
        {"hardware_threads", std::to_string(std::thread::hardware_concurrency())},
        {"secs", std::to_string(args.settings.secs)},
        {"warm", std::to_string(args.settings.warm)},
        {"repeats", std::to_string(args.settings.repeats)},
        {"quick", args.settings.quick ? "true" : "false"},
    };
    std::cout << "#";
    for (const auto& [key, value] : context) std::cout << " " << key << "=" << bench::json_string(value);
    std::cout << std::endl;

    bench::Reporter reporter;
    int failures = 0;
    for (const Workload& w : workloads()) {
        if (!args.only.empty() && std::find(args.only.begin(), args.only.end(), w.id) == args.only.end()) continue;
        try {
            w.run(args.settings, reporter);
        } catch (const std::exception& e) {
            // One broken workload must not hide the others' results.
            std::cerr << "cueball-bench: " << w.id << " " << w.name << " failed: " << e.what() << "\n";
            reporter.add(bench::Result(w.id, w.name).text("failed", e.what()));
            ++failures;
        }
    }
    if (!args.json.empty()) {
        try {
            reporter.write_json(args.json, context);
        } catch (const std::exception& e) {
            std::cerr << "cueball-bench: " << e.what() << "\n";
            return 1;
        }
    }
    return failures == 0 ? 0 : 1;
}
