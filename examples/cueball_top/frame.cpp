#include "frame.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>

namespace top {

namespace {

using cueball::BackendStats;
using cueball::PoolStats;
using cueball::LatencyHistogram;

// Rates over the interval between two snapshots; empty when there is no
// earlier snapshot or a counter went backwards (the process restarted).
struct Rates {
    std::string claims_per_s = "-";
    std::string p99 = "-";
};

Rates rates(std::uint64_t claims_now, const LatencyHistogram& wait_now, std::uint64_t claims_then,
            const LatencyHistogram& wait_then, double seconds) {
    Rates r;
    if (seconds <= 0 || claims_now < claims_then || wait_now.count() < wait_then.count()) return r;
    r.claims_per_s = fmt::format("{:.1f}", static_cast<double>(claims_now - claims_then) / seconds);
    const LatencyHistogram delta = wait_now.since(wait_then);
    if (delta.count() > 0) r.p99 = format_wait(delta.quantile(0.99));
    return r;
}

const PoolStats* find_pool(const std::vector<PoolStats>& pools, const std::string& name) {
    auto it = std::find_if(pools.begin(), pools.end(), [&](const PoolStats& p) { return p.name == name; });
    return it == pools.end() ? nullptr : &*it;
}

const BackendStats* find_backend(const PoolStats* pool, const std::string& key) {
    if (pool == nullptr) return nullptr;
    auto it = std::find_if(pool->backends.begin(), pool->backends.end(),
                           [&](const BackendStats& b) { return b.key == key; });
    return it == pool->backends.end() ? nullptr : &*it;
}

std::string pool_line(const PoolStats& p, const Rates& r) {
    return fmt::format(
        "pool {}  open {}/{} (idle {}, claimed {}, connecting {})  waiters {}  claims/s {}  p99 {}  timeouts {}",
        p.name, p.total_connections, p.max_connections, p.idle_connections, p.claimed_connections,
        p.pending_connections, p.waiters, r.claims_per_s, r.p99, p.counters.claim_timeouts);
}

constexpr const char* kRowFormat = "  {:<24} {:<10} {:>5} {:>7} {:>10} {:>8} {:>9} {:>8}  {}";

std::string backend_line(const BackendStats& b, const Rates& r) {
    return fmt::format(kRowFormat, b.key, cueball::to_string(b.state), b.idle, b.claimed, b.connecting,
                       b.connect_failures, r.claims_per_s, r.p99, b.last_error);
}

}  // namespace

std::string format_wait(std::chrono::nanoseconds wait) {
    const double us = std::chrono::duration<double, std::micro>(wait).count();
    // The first bucket holds the claims served at once (and anything under 1 us).
    if (us < 1) return "<1us";
    if (us >= 1e6) return fmt::format("{:.3g}s", us / 1e6);
    if (us >= 1e3) return fmt::format("{:.3g}ms", us / 1e3);
    return fmt::format("{:.3g}us", us);
}

std::vector<Line> render(const std::string& title, const Snapshot& now, const std::optional<Snapshot>& before,
                         const std::string& pool) {
    std::vector<Line> lines;
    lines.push_back({Line::Kind::Title, title});
    const double seconds =
        before ? std::chrono::duration<double>(now.taken - before->taken).count() : 0.0;
    for (const PoolStats& p : now.pools) {
        if (!pool.empty() && p.name != pool) continue;
        const PoolStats* then = before ? find_pool(before->pools, p.name) : nullptr;
        const Rates pr = then ? rates(p.counters.claims, p.claim_wait, then->counters.claims, then->claim_wait, seconds)
                              : Rates{};
        lines.push_back({Line::Kind::Note, ""});
        lines.push_back({Line::Kind::Pool, pool_line(p, pr)});
        if (p.backends.empty()) {
            lines.push_back({Line::Kind::Note, "  no backends"});
            continue;
        }
        lines.push_back({Line::Kind::Columns, fmt::format(kRowFormat, "BACKEND", "STATE", "IDLE", "CLAIMED",
                                                          "CONNECTING", "FAILURES", "CLAIMS/S", "P99", "LAST ERROR")});
        for (const BackendStats& b : p.backends) {
            const BackendStats* old = find_backend(then, b.key);
            const Rates br = old ? rates(b.counters.claims, b.claim_wait, old->counters.claims, old->claim_wait, seconds)
                                 : Rates{};
            lines.push_back({Line::Kind::Backend, backend_line(b, br), b.state});
        }
    }
    if (lines.size() == 1) {
        lines.push_back({Line::Kind::Note, ""});
        lines.push_back({Line::Kind::Note, pool.empty() ? "no pools registered" : "no pool named '" + pool + "'"});
    }
    return lines;
}

}  // namespace top
