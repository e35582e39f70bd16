#include <cueball/stats_format.hpp>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include <functional>

namespace cueball {

namespace {

using nlohmann::json;

json counters_json(const Counters& c) {
    return {{"claims", c.claims},
            {"claim_timeouts", c.claim_timeouts},
            {"connects", c.connects},
            {"connect_failures", c.connect_failures},
            {"health_check_failures", c.health_check_failures},
            {"resets_failed", c.resets_failed},
            {"discards", c.discards}};
}

json histogram_json(const LatencyHistogram& h) {
    json buckets = json::array();
    for (const LatencyHistogram::Bucket& b : h.buckets()) {
        buckets.push_back({{"index", b.index}, {"count", b.count}});
    }
    const auto us = [](std::chrono::nanoseconds ns) {
        return std::chrono::duration_cast<std::chrono::microseconds>(ns).count();
    };
    return {{"count", h.count()},
            {"sum_ns", h.sum.count()},
            {"p50_us", us(h.quantile(0.50))},
            {"p99_us", us(h.quantile(0.99))},
            {"buckets", std::move(buckets)}};
}

json pool_json(const PoolStats& s) {
    json backends = json::array();
    for (const BackendStats& b : s.backends) {
        json j = {{"key", b.key},
                  {"address", b.backend.address},
                  {"port", b.backend.port},
                  {"name", b.backend.name},
                  {"state", to_string(b.state)},
                  {"idle", b.idle},
                  {"claimed", b.claimed},
                  {"connecting", b.connecting},
                  {"target", b.target},
                  {"connect_failures", b.connect_failures},
                  {"consecutive_failures", b.consecutive_failures},
                  {"last_error", b.last_error},
                  {"counters", counters_json(b.counters)},
                  {"claim_wait", histogram_json(b.claim_wait)}};
        j["retry_in_ms"] = b.retry_in ? json(b.retry_in->count()) : json(nullptr);
        backends.push_back(std::move(j));
    }
    return {{"name", s.name},
            {"max_connections", s.max_connections},
            {"total_connections", s.total_connections},
            {"idle_connections", s.idle_connections},
            {"claimed_connections", s.claimed_connections},
            {"pending_connections", s.pending_connections},
            {"waiters", s.waiters},
            {"counters", counters_json(s.counters)},
            {"claim_wait", histogram_json(s.claim_wait)},
            {"backends", std::move(backends)}};
}

// Label values may hold anything; the exposition format escapes \, " and newline.
std::string escape(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

class Exposition {
public:
    explicit Exposition(const std::vector<PoolStats>& pools) : pools_(pools) {}

    // One family: HELP and TYPE once, then a sample per pool.
    void pool_metric(const char* name, const char* type, const char* help,
                     const std::function<double(const PoolStats&)>& value) {
        header(name, type, help);
        for (const PoolStats& p : pools_) sample(name, pool_labels(p), value(p));
    }
    void backend_metric(const char* name, const char* type, const char* help,
                        const std::function<double(const BackendStats&)>& value) {
        header(name, type, help);
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) sample(name, backend_labels(p, b), value(b));
        }
    }
    void pool_connections() {
        header("cueball_pool_connections", "gauge", "Connections by state: idle, claimed, connecting.");
        for (const PoolStats& p : pools_) {
            const std::string l = pool_labels(p);
            sample("cueball_pool_connections", l + ",state=\"idle\"", static_cast<double>(p.idle_connections));
            sample("cueball_pool_connections", l + ",state=\"claimed\"", static_cast<double>(p.claimed_connections));
            sample("cueball_pool_connections", l + ",state=\"connecting\"", static_cast<double>(p.pending_connections));
        }
    }
    void backend_connections() {
        header("cueball_backend_connections", "gauge", "Connections to a backend by state.");
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) {
                const std::string l = backend_labels(p, b);
                sample("cueball_backend_connections", l + ",state=\"idle\"", static_cast<double>(b.idle));
                sample("cueball_backend_connections", l + ",state=\"claimed\"", static_cast<double>(b.claimed));
                sample("cueball_backend_connections", l + ",state=\"connecting\"", static_cast<double>(b.connecting));
            }
        }
    }
    void backend_states() {
        header("cueball_backend_state", "gauge", "1 for the backend's current state, 0 for the others.");
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) {
                for (BackendState s : {BackendState::Connecting, BackendState::Online, BackendState::Failing,
                                       BackendState::Draining}) {
                    sample("cueball_backend_state", backend_labels(p, b) + ",state=\"" + to_string(s) + "\"",
                           b.state == s ? 1.0 : 0.0);
                }
            }
        }
    }
    void pool_histogram() {
        const char* name = "cueball_pool_claim_wait_seconds";
        header(name, "histogram", "Time claims waited for a connection.");
        for (const PoolStats& p : pools_) histogram(name, pool_labels(p), p.claim_wait);
    }
    void backend_histogram() {
        const char* name = "cueball_backend_claim_wait_seconds";
        header(name, "histogram", "Time claims served from this backend waited.");
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) histogram(name, backend_labels(p, b), b.claim_wait);
        }
    }
    std::string take() { return std::move(out_); }

private:
    void header(const char* name, const char* type, const char* help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
    void histogram(const std::string& name, const std::string& labels, const LatencyHistogram& h) {
        // Powers of two from 1 us: bucket boundaries of the histogram, so each count is exact.
        for (unsigned octave = LatencyHistogram::kFirstOctave; octave < LatencyHistogram::kLastOctave; octave += 2) {
            const std::chrono::nanoseconds bound(std::int64_t{1} << octave);
            const double le = std::chrono::duration<double>(bound).count();
            sample(name + "_bucket", fmt::format("{},le=\"{}\"", labels, le),
                   static_cast<double>(h.count_at_most(bound - std::chrono::nanoseconds(1))));
        }
        sample(name + "_bucket", labels + ",le=\"+Inf\"", static_cast<double>(h.count()));
        sample(name + "_sum", labels, std::chrono::duration<double>(h.sum).count());
        sample(name + "_count", labels, static_cast<double>(h.count()));
    }
    static std::string pool_labels(const PoolStats& p) { return "pool=\"" + escape(p.name) + "\""; }
    static std::string backend_labels(const PoolStats& p, const BackendStats& b) {
        return pool_labels(p) + ",backend=\"" + escape(b.key) + "\"";
    }

    const std::vector<PoolStats>& pools_;
    std::string out_;
};

double num(std::uint64_t v) { return static_cast<double>(v); }

}  // namespace

std::string to_json(const PoolStats& stats) { return pool_json(stats).dump(); }

std::string to_json(const std::vector<PoolStats>& pools) {
    json all = json::array();
    for (const PoolStats& p : pools) all.push_back(pool_json(p));
    return all.dump();
}

std::string to_prometheus(const std::vector<PoolStats>& pools) {
    Exposition e(pools);
    e.pool_metric("cueball_pool_max_connections", "gauge", "Configured max_connections.",
                  [](const PoolStats& p) { return num(p.max_connections); });
    e.pool_connections();
    e.pool_metric("cueball_pool_waiters", "gauge", "Threads blocked in claim().",
                  [](const PoolStats& p) { return num(p.waiters); });
    e.pool_metric("cueball_pool_claims_total", "counter", "Successful claims.",
                  [](const PoolStats& p) { return num(p.counters.claims); });
    e.pool_metric("cueball_pool_claim_timeouts_total", "counter", "Claims that timed out.",
                  [](const PoolStats& p) { return num(p.counters.claim_timeouts); });
    e.pool_metric("cueball_pool_connects_total", "counter", "Successful connects.",
                  [](const PoolStats& p) { return num(p.counters.connects); });
    e.pool_metric("cueball_pool_connect_failures_total", "counter", "Failed or timed-out connects.",
                  [](const PoolStats& p) { return num(p.counters.connect_failures); });
    e.pool_metric("cueball_pool_health_check_failures_total", "counter", "Idle connections that failed is_valid().",
                  [](const PoolStats& p) { return num(p.counters.health_check_failures); });
    e.pool_metric("cueball_pool_reset_failures_total", "counter", "Released connections whose reset() failed.",
                  [](const PoolStats& p) { return num(p.counters.resets_failed); });
    e.pool_metric("cueball_pool_discards_total", "counter", "Claimed connections discarded by their holder.",
                  [](const PoolStats& p) { return num(p.counters.discards); });
    e.pool_histogram();
    e.backend_connections();
    e.backend_states();
    e.backend_metric("cueball_backend_target_connections", "gauge", "Connections the rebalancer wants open.",
                     [](const BackendStats& b) { return num(b.target); });
    e.backend_metric("cueball_backend_consecutive_failures", "gauge", "Failed connects in a row; 0 when healthy.",
                     [](const BackendStats& b) { return num(b.consecutive_failures); });
    e.backend_metric("cueball_backend_claims_total", "counter", "Claims served from this backend.",
                     [](const BackendStats& b) { return num(b.counters.claims); });
    e.backend_metric("cueball_backend_connects_total", "counter", "Successful connects.",
                     [](const BackendStats& b) { return num(b.counters.connects); });
    e.backend_metric("cueball_backend_connect_failures_total", "counter", "Failed or timed-out connects.",
                     [](const BackendStats& b) { return num(b.counters.connect_failures); });
    e.backend_metric("cueball_backend_health_check_failures_total", "counter", "Failed health checks.",
                     [](const BackendStats& b) { return num(b.counters.health_check_failures); });
    e.backend_metric("cueball_backend_reset_failures_total", "counter", "Failed resets.",
                     [](const BackendStats& b) { return num(b.counters.resets_failed); });
    e.backend_metric("cueball_backend_discards_total", "counter", "Discarded connections.",
                     [](const BackendStats& b) { return num(b.counters.discards); });
    e.backend_histogram();
    return e.take();
}

}  // namespace cueball
