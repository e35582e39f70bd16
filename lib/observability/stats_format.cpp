#include <cueball/stats_format.hpp>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include <functional>

namespace cueball {

namespace {

using nlohmann::json;

// Every counter once, with its JSON key, its Prometheus help and whether a
// backend has it too: JSON and both metric families are written from this
// one list, so that nothing stats() has is left out of either.
struct CounterField {
    const char* key;     // in JSON
    const char* metric;  // cueball_pool_<metric>_total, cueball_backend_<metric>_total
    std::uint64_t Counters::*member;
    const char* help;
    bool per_backend;
};

constexpr CounterField kCounters[] = {
    {"claims", "claims", &Counters::claims, "Successful claims.", true},
    {"claim_timeouts", "claim_timeouts", &Counters::claim_timeouts, "Claims that timed out.", false},
    {"connects", "connects", &Counters::connects, "Successful connects.", true},
    {"connect_failures", "connect_failures", &Counters::connect_failures, "Failed or timed-out connects.", true},
    {"health_check_failures", "health_check_failures", &Counters::health_check_failures, "Idle connections that failed is_valid().", true},
    {"resets_failed", "reset_failures", &Counters::resets_failed, "Released connections whose reset() failed.", true},
    {"discards", "discards", &Counters::discards, "Claimed connections discarded by their holder.", true},
    {"claims_cancelled", "claims_cancelled", &Counters::claims_cancelled, "Claims cancelled by their stop token.", false},
    {"claims_failed_fast", "claims_failed_fast", &Counters::claims_failed_fast, "Claims that failed at once with NoBackendsAvailable.",
     false},
    {"long_claims", "long_claims", &Counters::long_claims, "Claims held past claim_warning_threshold.", true},
    {"expired", "expired", &Counters::expired, "Connections closed at max_lifetime.", true},
    {"validations_failed", "validations_failed", &Counters::validations_failed, "Connections validate_on_claim found bad.", true},
    {"churn_delays", "churn_delays", &Counters::churn_delays, "Connects held back by max_churn_rate.", true},
    {"ejections", "ejections", &Counters::ejections, "Times outlier detection ejected a backend.", true},
};

constexpr BackendState kBackendStates[] = {BackendState::Connecting, BackendState::Online,   BackendState::Failing,
                                           BackendState::Dead,       BackendState::Draining, BackendState::Ejected};
constexpr PoolState kPoolStates[] = {PoolState::Starting, PoolState::Running, PoolState::Failed, PoolState::Stopping,
                                     PoolState::Stopped};

// The three latency histograms, by JSON key and metric stem.
struct HistogramField {
    const char* key;
    LatencyHistogram PoolStats::*pool;
    LatencyHistogram BackendStats::*backend;
    const char* help;
};

constexpr HistogramField kHistograms[] = {
    {"claim_wait", &PoolStats::claim_wait, &BackendStats::claim_wait, "Time claims waited for a connection."},
    {"use_time", &PoolStats::use_time, &BackendStats::use_time, "Time handles were held, claim to release."},
    {"create_time", &PoolStats::create_time, &BackendStats::create_time, "Time successful connects took."},
};

json counters_json(const Counters& c) {
    json j = json::object();
    for (const CounterField& f : kCounters) j[f.key] = c.*f.member;
    return j;
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
            {"p999_us", us(h.quantile(0.999))},
            {"buckets", std::move(buckets)}};
}

json optional_ms(const std::optional<std::chrono::milliseconds>& ms) { return ms ? json(ms->count()) : json(nullptr); }

json pool_json(const PoolStats& s) {
    json backends = json::array();
    for (const BackendStats& b : s.backends) {
        json j = {{"key", b.key},
                  {"address", b.backend.address},
                  {"port", b.backend.port},
                  {"name", b.backend.name},
                  {"priority", b.backend.priority},
                  {"weight", b.backend.weight},
                  {"state", to_string(b.state)},
                  {"idle", b.idle},
                  {"claimed", b.claimed},
                  {"connecting", b.connecting},
                  {"target", b.target},
                  {"connect_failures", b.connect_failures},
                  {"consecutive_failures", b.consecutive_failures},
                  {"last_error", b.last_error},
                  {"retry_in_ms", optional_ms(b.retry_in)},
                  {"ejected_for_ms", optional_ms(b.ejected_for)},
                  {"counters", counters_json(b.counters)}};
        for (const HistogramField& h : kHistograms) j[h.key] = histogram_json(b.*h.backend);
        backends.push_back(std::move(j));
    }
    json oldest = json::array();
    for (const OutstandingClaim& c : s.oldest_claims) {
        oldest.push_back({{"claim_id", c.claim_id},
                          {"backend", c.backend},
                          {"age_ms", c.age.count()},
                          {"file", c.site.file},
                          {"line", c.site.line},
                          {"function", c.site.function}});
    }
    json j = {{"name", s.name},
              {"state", to_string(s.state)},
              {"max_connections", s.max_connections},
              {"target_connections", s.target_connections},
              {"total_connections", s.total_connections},
              {"idle_connections", s.idle_connections},
              {"claimed_connections", s.claimed_connections},
              {"pending_connections", s.pending_connections},
              {"waiters", s.waiters},
              {"counters", counters_json(s.counters)},
              {"backends", std::move(backends)},
              {"oldest_claims", std::move(oldest)}};
    for (const HistogramField& h : kHistograms) j[h.key] = histogram_json(s.*h.pool);
    return j;
}

// Names and errors may hold any bytes; JSON must be UTF-8, so invalid
// sequences become U+FFFD rather than failing the whole answer.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Label values may hold anything; the exposition format escapes \, " and
// newline, and must be UTF-8, so invalid bytes become U+FFFD.
std::string escape(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size();) {
        const auto c = static_cast<unsigned char>(v[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool valid = length > 0 && i + length <= v.size();
        for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(v[i + k]) >> 6) == 0x2;
        if (!valid) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.append(v, i, length);
        }
        i += length;
    }
    return out;
}

double num(std::uint64_t v) { return static_cast<double>(v); }

class Exposition {
public:
    explicit Exposition(const std::vector<PoolStats>& pools) : pools_(pools) {}

    // One family: HELP and TYPE once, then a sample per pool.
    void pool_metric(const std::string& name, const char* type, const char* help,
                     const std::function<double(const PoolStats&)>& value) {
        header(name, type, help);
        for (const PoolStats& p : pools_) sample(name, pool_labels(p), value(p));
    }
    void backend_metric(const std::string& name, const char* type, const char* help,
                        const std::function<double(const BackendStats&)>& value) {
        header(name, type, help);
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) sample(name, backend_labels(p, b), value(b));
        }
    }
    void counters() {
        for (const CounterField& f : kCounters) {
            pool_metric(fmt::format("cueball_pool_{}_total", f.metric), "counter", f.help,
                        [&](const PoolStats& p) { return num(p.counters.*f.member); });
        }
        for (const CounterField& f : kCounters) {
            if (!f.per_backend) continue;
            backend_metric(fmt::format("cueball_backend_{}_total", f.metric), "counter", f.help,
                           [&](const BackendStats& b) { return num(b.counters.*f.member); });
        }
    }
    void pool_connections() {
        header("cueball_pool_connections", "gauge", "Connections by state: idle, claimed, connecting.");
        for (const PoolStats& p : pools_) {
            const std::string l = pool_labels(p);
            sample("cueball_pool_connections", l + ",state=\"idle\"", num(p.idle_connections));
            sample("cueball_pool_connections", l + ",state=\"claimed\"", num(p.claimed_connections));
            sample("cueball_pool_connections", l + ",state=\"connecting\"", num(p.pending_connections));
        }
    }
    void pool_states() {
        header("cueball_pool_state", "gauge", "1 for the pool's current state, 0 for the others.");
        for (const PoolStats& p : pools_) {
            for (PoolState s : kPoolStates) {
                sample("cueball_pool_state", pool_labels(p) + ",state=\"" + to_string(s) + "\"", p.state == s ? 1 : 0);
            }
        }
    }
    void backend_connections() {
        header("cueball_backend_connections", "gauge", "Connections to a backend by state.");
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) {
                const std::string l = backend_labels(p, b);
                sample("cueball_backend_connections", l + ",state=\"idle\"", num(b.idle));
                sample("cueball_backend_connections", l + ",state=\"claimed\"", num(b.claimed));
                sample("cueball_backend_connections", l + ",state=\"connecting\"", num(b.connecting));
            }
        }
    }
    void backend_states() {
        header("cueball_backend_state", "gauge", "1 for the backend's current state, 0 for the others.");
        for (const PoolStats& p : pools_) {
            for (const BackendStats& b : p.backends) {
                for (BackendState s : kBackendStates) {
                    sample("cueball_backend_state", backend_labels(p, b) + ",state=\"" + to_string(s) + "\"",
                           b.state == s ? 1.0 : 0.0);
                }
            }
        }
    }
    void histograms() {
        for (const HistogramField& f : kHistograms) {
            const std::string pool_name = fmt::format("cueball_pool_{}_seconds", f.key);
            header(pool_name, "histogram", f.help);
            for (const PoolStats& p : pools_) histogram(pool_name, pool_labels(p), p.*f.pool);
        }
        for (const HistogramField& f : kHistograms) {
            const std::string backend_name = fmt::format("cueball_backend_{}_seconds", f.key);
            header(backend_name, "histogram", f.help);
            for (const PoolStats& p : pools_) {
                for (const BackendStats& b : p.backends) histogram(backend_name, backend_labels(p, b), b.*f.backend);
            }
        }
    }
    // OpenTelemetry's semantic conventions for database client connection
    // pools, in their Prometheus form (dots to underscores, unit suffixes),
    // so that dashboards built for them read cueball's pools as they are.
    void opentelemetry() {
        const char* count = "db_client_connection_count";
        header(count, "gauge", "Connections by state (OpenTelemetry db.client.connection.count).");
        for (const PoolStats& p : pools_) {
            const std::string l = otel_labels(p);
            sample(count, l + ",db_client_connection_state=\"idle\"", num(p.idle_connections));
            sample(count, l + ",db_client_connection_state=\"used\"", num(p.claimed_connections));
        }
        otel_metric("db_client_connection_max", "gauge", "The most open connections allowed.",
                    [](const PoolStats& p) { return num(p.max_connections); });
        otel_metric("db_client_connection_idle_max", "gauge", "The most idle connections allowed.",
                    [](const PoolStats& p) { return num(p.max_connections); });
        otel_metric("db_client_connection_idle_min", "gauge", "Idle connections the pool keeps open when it can.",
                    [](const PoolStats& p) { return num(p.target_connections); });
        otel_metric("db_client_connection_pending_requests", "gauge", "Claims waiting for a connection.",
                    [](const PoolStats& p) { return num(p.waiters); });
        otel_metric("db_client_connection_timeouts_total", "counter", "Claims that timed out.",
                    [](const PoolStats& p) { return num(p.counters.claim_timeouts); });
        const std::pair<const char*, LatencyHistogram PoolStats::*> times[] = {
            {"db_client_connection_create_time_seconds", &PoolStats::create_time},
            {"db_client_connection_wait_time_seconds", &PoolStats::claim_wait},
            {"db_client_connection_use_time_seconds", &PoolStats::use_time},
        };
        for (const auto& [name, member] : times) {
            header(name, "histogram", "OpenTelemetry's histogram of the same name, in seconds.");
            for (const PoolStats& p : pools_) histogram(name, otel_labels(p), p.*member);
        }
    }
    std::string take() { return std::move(out_); }

private:
    void otel_metric(const char* name, const char* type, const char* help,
                     const std::function<double(const PoolStats&)>& value) {
        header(name, type, help);
        for (const PoolStats& p : pools_) sample(name, otel_labels(p), value(p));
    }
    void header(const std::string& name, const char* type, const char* help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        out_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
    void histogram(const std::string& name, const std::string& labels, const LatencyHistogram& h) {
        // Powers of four from 1 us: bucket boundaries of the histogram, so each count is exact.
        for (unsigned octave = LatencyHistogram::kFirstOctave; octave < LatencyHistogram::kLastOctave; octave += 2) {
            const std::chrono::nanoseconds bound(std::int64_t{1} << octave);
            const double le = std::chrono::duration<double>(bound).count();
            sample(name + "_bucket", fmt::format("{},le=\"{}\"", labels, le),
                   num(h.count_at_most(bound - std::chrono::nanoseconds(1))));
        }
        sample(name + "_bucket", labels + ",le=\"+Inf\"", num(h.count()));
        sample(name + "_sum", labels, std::chrono::duration<double>(h.sum).count());
        sample(name + "_count", labels, num(h.count()));
    }
    static std::string pool_labels(const PoolStats& p) { return "pool=\"" + escape(p.name) + "\""; }
    static std::string otel_labels(const PoolStats& p) {
        return "db_client_connection_pool_name=\"" + escape(p.name) + "\"";
    }
    static std::string backend_labels(const PoolStats& p, const BackendStats& b) {
        return pool_labels(p) + ",backend=\"" + escape(b.key) + "\"";
    }

    const std::vector<PoolStats>& pools_;
    std::string out_;
};

}  // namespace

std::string to_json(const PoolStats& stats) { return dump(pool_json(stats)); }

std::string to_json(const std::vector<PoolStats>& pools) {
    json all = json::array();
    for (const PoolStats& p : pools) all.push_back(pool_json(p));
    return dump(all);
}

std::string to_prometheus(const std::vector<PoolStats>& pools) {
    Exposition e(pools);
    e.pool_metric("cueball_pool_max_connections", "gauge", "Configured max_connections.",
                  [](const PoolStats& p) { return num(p.max_connections); });
    e.pool_metric("cueball_pool_target_connections", "gauge", "Connections the pool keeps open now.",
                  [](const PoolStats& p) { return num(p.target_connections); });
    e.pool_states();
    e.pool_connections();
    e.pool_metric("cueball_pool_waiters", "gauge", "Threads blocked in claim().",
                  [](const PoolStats& p) { return num(p.waiters); });
    e.backend_connections();
    e.backend_states();
    e.backend_metric("cueball_backend_target_connections", "gauge", "Connections the rebalancer wants open.",
                     [](const BackendStats& b) { return num(b.target); });
    e.backend_metric("cueball_backend_consecutive_failures", "gauge", "Failed connects in a row; 0 when healthy.",
                     [](const BackendStats& b) { return num(b.consecutive_failures); });
    e.backend_metric("cueball_backend_priority", "gauge", "RFC 2782 priority (lower is preferred).",
                     [](const BackendStats& b) { return static_cast<double>(b.backend.priority); });
    e.backend_metric("cueball_backend_weight", "gauge", "RFC 2782 weight within its priority.",
                     [](const BackendStats& b) { return static_cast<double>(b.backend.weight); });
    e.backend_metric("cueball_backend_ejected_seconds", "gauge", "Time until an ejected backend is readmitted; 0 if not ejected.",
                     [](const BackendStats& b) {
                         return b.ejected_for ? std::chrono::duration<double>(*b.ejected_for).count() : 0.0;
                     });
    e.counters();
    e.histograms();
    e.opentelemetry();
    return e.take();
}

}  // namespace cueball
