#include "table.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace demo {

namespace {

std::string seconds(std::chrono::milliseconds ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms.count()) / 1000.0);
    return text;
}

// The state, and when it will change if the pool has a timer on it.
std::string describe_state(const cueball::BackendStats& b) {
    // A backend of a less preferred priority is not connected to until it
    // is needed; "connecting" would suggest that it is being tried.
    if (b.state == cueball::BackendState::Connecting && b.target == 0 && b.connecting == 0) {
        return "standby, not connected yet";
    }
    std::string out = cueball::to_string(b.state);
    if (b.state == cueball::BackendState::Ejected && b.ejected_for) {
        out += ", back in " + seconds(*b.ejected_for);
    } else if (b.state == cueball::BackendState::Dead && b.retry_in) {
        out += ", probe in " + seconds(*b.retry_in);
    } else if (b.state == cueball::BackendState::Failing && b.retry_in) {
        out += ", retry in " + seconds(*b.retry_in);
    }
    return out;
}

// snprintf into a std::string: the report is written with one call, so that
// the pool's log lines (on stdout too) fall between reports, not inside one.
template <class... Args>
void append(std::string& out, const char* format, Args... args) {
    char line[256];
    std::snprintf(line, sizeof line, format, args...);
    out += line;
}

}  // namespace

void print_table(int second, const cueball::PoolStats& s, std::uint64_t claims_per_second) {
    std::string out;
    append(out, "t=%2ds  claims/s=%-6llu open=%zu idle=%zu claimed=%zu connecting=%zu waiters=%zu\n", second,
           static_cast<unsigned long long>(claims_per_second), s.total_connections, s.idle_connections,
           s.claimed_connections, s.pending_connections, s.waiters);
    append(out, "  %-15s %4s %6s %6s %4s %7s %4s %8s %7s  %s\n", "backend", "prio", "weight", "target", "idle",
           "claimed", "conn", "discards", "ejected", "state");
    for (const cueball::BackendStats& b : s.backends) {
        append(out, "  %-15s %4u %6u %6zu %4zu %7zu %4zu %8llu %7llu  %s\n", b.key.c_str(),
               static_cast<unsigned>(b.backend.priority), static_cast<unsigned>(b.backend.weight), b.target, b.idle,
               b.claimed, b.connecting, static_cast<unsigned long long>(b.counters.discards),
               static_cast<unsigned long long>(b.counters.ejections), describe_state(b).c_str());
    }
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

}  // namespace demo
