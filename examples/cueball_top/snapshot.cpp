#include "snapshot.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace top {

namespace {

using nlohmann::json;

// Every counter to_json() writes, by its key: a counter left out here would
// read as 0 without a word.
struct CounterField {
    const char* key;
    std::uint64_t cueball::Counters::*member;
};

constexpr CounterField kCounters[] = {
    {"claims", &cueball::Counters::claims},
    {"claim_timeouts", &cueball::Counters::claim_timeouts},
    {"connects", &cueball::Counters::connects},
    {"connect_failures", &cueball::Counters::connect_failures},
    {"health_check_failures", &cueball::Counters::health_check_failures},
    {"resets_failed", &cueball::Counters::resets_failed},
    {"discards", &cueball::Counters::discards},
    {"claims_cancelled", &cueball::Counters::claims_cancelled},
    {"claims_failed_fast", &cueball::Counters::claims_failed_fast},
    {"long_claims", &cueball::Counters::long_claims},
    {"expired", &cueball::Counters::expired},
    {"validations_failed", &cueball::Counters::validations_failed},
    {"churn_delays", &cueball::Counters::churn_delays},
    {"ejections", &cueball::Counters::ejections},
};

cueball::Counters parse_counters(const json& j) {
    cueball::Counters c;
    for (const CounterField& f : kCounters) c.*f.member = j.at(f.key).get<std::uint64_t>();
    return c;
}

std::optional<std::chrono::milliseconds> optional_ms(const json& j) {
    if (j.is_null()) return std::nullopt;
    return std::chrono::milliseconds(j.get<std::int64_t>());
}

cueball::LatencyHistogram parse_histogram(const json& j) {
    cueball::LatencyHistogram h;
    const json& buckets = j.at("buckets");
    if (!buckets.is_array()) throw FormatError("histogram buckets: expected an array");
    for (const json& b : buckets) {
        const auto index = b.at("index").get<std::size_t>();
        if (index >= cueball::LatencyHistogram::kBuckets) throw FormatError("histogram buckets: index out of range");
        h.add_to_bucket(index, b.at("count").get<std::uint64_t>());
    }
    h.sum = std::chrono::nanoseconds(j.at("sum_ns").get<std::int64_t>());
    return h;
}

// By the names to_string() gives, whatever states the library knows.
template <class State>
State parse_state(const std::string& text, const char* what) {
    for (unsigned i = 0; i <= 255; ++i) {
        const auto state = static_cast<State>(i);
        if (text == cueball::to_string(state)) return state;
    }
    throw FormatError(std::string("unknown ") + what + " state '" + text + "'");
}

cueball::BackendStats parse_backend(const json& j) {
    cueball::BackendStats b;
    b.key = j.at("key").get<std::string>();
    b.backend.address = j.at("address").get<std::string>();
    b.backend.port = j.at("port").get<std::uint16_t>();
    b.backend.name = j.at("name").get<std::string>();
    b.backend.priority = j.at("priority").get<std::uint16_t>();
    b.backend.weight = j.at("weight").get<std::uint16_t>();
    b.state = parse_state<cueball::BackendState>(j.at("state").get<std::string>(), "backend");
    b.idle = j.at("idle").get<std::size_t>();
    b.claimed = j.at("claimed").get<std::size_t>();
    b.connecting = j.at("connecting").get<std::size_t>();
    b.target = j.at("target").get<std::size_t>();
    b.connect_failures = j.at("connect_failures").get<std::uint64_t>();
    b.consecutive_failures = j.at("consecutive_failures").get<std::uint64_t>();
    b.last_error = j.at("last_error").get<std::string>();
    b.counters = parse_counters(j.at("counters"));
    b.claim_wait = parse_histogram(j.at("claim_wait"));
    b.use_time = parse_histogram(j.at("use_time"));
    b.create_time = parse_histogram(j.at("create_time"));
    b.retry_in = optional_ms(j.at("retry_in_ms"));
    b.ejected_for = optional_ms(j.at("ejected_for_ms"));
    return b;
}

cueball::PoolStats parse_pool(const json& j) {
    cueball::PoolStats p;
    p.name = j.at("name").get<std::string>();
    p.state = parse_state<cueball::PoolState>(j.at("state").get<std::string>(), "pool");
    p.max_connections = j.at("max_connections").get<std::size_t>();
    p.target_connections = j.at("target_connections").get<std::size_t>();
    p.total_connections = j.at("total_connections").get<std::size_t>();
    p.idle_connections = j.at("idle_connections").get<std::size_t>();
    p.claimed_connections = j.at("claimed_connections").get<std::size_t>();
    p.pending_connections = j.at("pending_connections").get<std::size_t>();
    p.waiters = j.at("waiters").get<std::size_t>();
    p.counters = parse_counters(j.at("counters"));
    p.claim_wait = parse_histogram(j.at("claim_wait"));
    p.use_time = parse_histogram(j.at("use_time"));
    p.create_time = parse_histogram(j.at("create_time"));
    for (const json& b : j.at("backends")) p.backends.push_back(parse_backend(b));
    return p;
}

}  // namespace

std::vector<cueball::PoolStats> parse_pools(const std::string& text) {
    try {
        const json all = json::parse(text);
        if (!all.is_array()) throw FormatError("expected a JSON array of pools");
        std::vector<cueball::PoolStats> pools;
        for (const json& p : all) pools.push_back(parse_pool(p));
        return pools;
    } catch (const json::exception& e) {
        throw FormatError(e.what());
    }
}

}  // namespace top
