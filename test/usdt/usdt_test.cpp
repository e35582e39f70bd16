// The probes the README promises exist in the build, and fire the right
// number of times for a tracer.
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace cueball::test {
namespace {

const char* const kProbes[] = {
    "claim__start",         "claim__done",        "claim__failed",       "handle__claimed",
    "handle__returned",     "connect__start",     "connect__done",       "connect__failed",
    "health__check__start", "health__check__done", "health__check__failed", "reset__start",
    "reset__done",          "reset__failed",      "rebalance__start",    "rebalance__done",
    "decoherence__shuffle", "backend__added",     "backend__removed",    "backend__online",
    "backend__offline",     "slot__state__change", "backend__dead",     "pool__state__change",
    "long__claim",          "connection__expired",   "backend__ejected"};

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Usdt, EveryProbeIsInTheLibrary) {
    const std::string readelf = find_program("readelf");
    if (readelf.empty()) GTEST_SKIP() << "readelf (binutils) is not installed";
    TempDir dir("cueball-usdt");
    const std::string out = dir.path() + "/notes.txt";
    ASSERT_EQ(run_program({readelf, "-n", CUEBALL_LIBRARY}, out), 0);
    const std::string notes = slurp(out);
    std::set<std::string> found;
    const std::regex provider_name(R"(Provider: cueball\s+Name: (\S+))");
    for (auto it = std::sregex_iterator(notes.begin(), notes.end(), provider_name); it != std::sregex_iterator(); ++it) {
        found.insert((*it)[1]);
    }
    for (const char* probe : kProbes) EXPECT_EQ(found.count(probe), 1u) << "missing probe " << probe;
    EXPECT_EQ(found.size(), std::size(kProbes)) << "probes the test does not know of";
}

TEST(Usdt, EveryProbeHasASemaphore) {
    // In a linked file (a static archive's objects are not relocated yet), each
    // probe's note names the address of its is-enabled semaphore.
    const std::string readelf = find_program("readelf");
    if (readelf.empty()) GTEST_SKIP() << "readelf (binutils) is not installed";
    TempDir dir("cueball-usdt");
    const std::string out = dir.path() + "/notes.txt";
    ASSERT_EQ(run_program({readelf, "-n", PROBES_IN}, out), 0);
    const std::string notes = slurp(out);
    const std::regex semaphore(R"(Provider: cueball\s+Name: \S+\s+Location: \S+, Base: \S+, Semaphore: (0x[0-9a-f]+))");
    int probes = 0;
    for (auto it = std::sregex_iterator(notes.begin(), notes.end(), semaphore); it != std::sregex_iterator(); ++it) {
        EXPECT_NE(std::stoull((*it)[1], nullptr, 16), 0u) << (*it)[0];
        ++probes;
    }
    EXPECT_EQ(probes, static_cast<int>(std::size(kProbes)));
}

TEST(Usdt, BpftraceCountsClaims) {
    const std::string bpftrace = find_program("bpftrace");
    if (bpftrace.empty()) GTEST_SKIP() << "bpftrace is not installed (apt-get install bpftrace)";
    if (geteuid() != 0) GTEST_SKIP() << "bpftrace needs root";
    TempDir dir("cueball-usdt");
    const std::string out = dir.path() + "/bpftrace.txt";
    const std::string where = std::string("usdt:") + PROBES_IN + ":cueball:";
    const std::string script = where + "claim__done /str(arg0) == \"traced\"/ { @done = count(); } " + where +
                               "handle__returned /str(arg0) == \"traced\"/ { @returned = count(); } " + where +
                               "claim__start { @ids[arg1] = 1; } " + where +
                               "handle__returned /@ids[arg1] == 1/ { @linked = count(); }";
    const int rc = run_program({bpftrace, "-e", script, "-c", std::string(TRACED_PROGRAM) + " 250"}, out);
    const std::string text = slurp(out);
    if (rc != 0 && text.find("claimed 250 times") == std::string::npos) {
        GTEST_SKIP() << "bpftrace cannot attach here (rc " << rc << "):\n" << text;
    }
    EXPECT_NE(text.find("@done: 250"), std::string::npos) << text;
    EXPECT_NE(text.find("@returned: 250"), std::string::npos) << text;
    // claim ids link claim-start to handle-returned.
    EXPECT_NE(text.find("@linked: 250"), std::string::npos) << text;
}

}  // namespace
}  // namespace cueball::test
