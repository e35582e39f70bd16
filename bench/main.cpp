// cueball-bench: runs the workloads of BENCHMARKS.md against cueball's pool
// and prints one greppable line per workload; --json also writes them to a
// file. See docs/performance.md for how to run it and read the results.
#include "harness.hpp"
#include "workloads.hpp"

#include <cueball/version.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
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
        {"W3", "ample", bench::run_w3},
        {"W4", "large_pool", bench::run_w4},
        {"W5", "handoff", bench::run_w5},
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

const char* kUsage =
    "usage: cueball-bench [--quick] [--only W1,W5,...] [--secs S] [--warm S] [--repeats N] [--json FILE]\n"
    "\n"
    "Runs the benchmark workloads W1-W10 against cueball's pool and prints one line\n"
    "per workload, e.g. 'peer=cueball W1 uncontended ns_per_op=41.2 ...'.\n"
    "\n"
    "  --quick        everything in about 30 s: --secs 0.25 --warm 0.1, one run of W8\n"
    "  --only LIST    comma-separated workload ids (default: all)\n"
    "  --secs S       seconds timed per repeat (default 1)\n"
    "  --warm S       untimed seconds before the repeats (default 0.5)\n"
    "  --repeats N    timed repeats; the median is reported (default 3)\n"
    "  --json FILE    also write the results as JSON\n";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

double parse_seconds(const std::string& flag, const std::string& text, double min, const char* range) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= min) || value > 3600) {
        throw UsageError(flag + " wants seconds " + range + ", not '" + text + "'");
    }
    return value;
}

int parse_repeats(const std::string& text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 100) {
        throw UsageError("--repeats wants a whole number from 1 to 100, not '" + text + "'");
    }
    return value;
}

std::vector<std::string> parse_only(const std::string& text) {
    std::vector<std::string> ids;
    for (std::size_t a = 0, b; a <= text.size(); a = b + 1) {
        b = std::min(text.find(',', a), text.size());
        std::string id = text.substr(a, b - a);
        for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const auto& all = workloads();
        if (std::none_of(all.begin(), all.end(), [&](const Workload& w) { return id == w.id; })) {
            throw UsageError("--only: unknown workload '" + id + "' (known: W1 to W9)");
        }
        ids.push_back(id);
    }
    return ids;
}

struct Args {
    bench::Settings settings;
    std::vector<std::string> only;
    std::string json;
    bool help = false;
};

Args parse_args(int argc, char** argv) {
    Args args;
    bool quick = false;
    std::string secs, warm;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            args.help = true;
            continue;
        }
        if (flag == "--quick") {
            quick = true;
            continue;
        }
        if (flag != "--only" && flag != "--secs" && flag != "--warm" && flag != "--repeats" && flag != "--json") {
            throw UsageError("unknown option '" + flag + "'");
        }
        if (i + 1 >= argc) throw UsageError(flag + " needs a value");
        const std::string value = argv[++i];
        if (flag == "--only") args.only = parse_only(value);
        if (flag == "--secs") secs = value;
        if (flag == "--warm") warm = value;
        if (flag == "--repeats") args.settings.repeats = parse_repeats(value);
        if (flag == "--json") {
            // Found out now rather than after minutes of measuring.
            if (value.empty() || !std::ofstream(value)) throw UsageError("--json: cannot write '" + value + "'");
            args.json = value;
        }
    }
    // --quick sets the defaults; explicit --secs and --warm still win.
    args.settings.quick = quick;
    if (quick) {
        args.settings.secs = 0.25;
        args.settings.warm = 0.1;
    }
    if (!secs.empty()) args.settings.secs = parse_seconds("--secs", secs, 0.01, "from 0.01 to 3600");
    if (!warm.empty()) args.settings.warm = parse_seconds("--warm", warm, 0, "from 0 to 3600");
    return args;
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
    try {
        args = parse_args(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "cueball-bench: " << e.what() << "\n\n" << kUsage;
        return 2;
    }
    if (args.help) {
        std::cout << kUsage;
        return 0;
    }
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
