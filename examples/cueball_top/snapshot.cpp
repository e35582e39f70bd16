#include "snapshot.hpp"

#include <nlohmann/json.hpp>

namespace top {

namespace {

using nlohmann::json;

cueball::Counters parse_counters(const json& j) {
    cueball::Counters c;
    c.claims = j.at("claims").get<std::uint64_t>();
    c.claim_timeouts = j.at("claim_timeouts").get<std::uint64_t>();
    c.connects = j.at("connects").get<std::uint64_t>();
    c.connect_failures = j.at("connect_failures").get<std::uint64_t>();
    c.health_check_failures = j.at("health_check_failures").get<std::uint64_t>();
    c.resets_failed = j.at("resets_failed").get<std::uint64_t>();
    c.discards = j.at("discards").get<std::uint64_t>();
    return c;
}

cueball::LatencyHistogram parse_histogram(const json& j) {
    cueball::LatencyHistogram h;
    const json& buckets = j.at("buckets");
    if (!buckets.is_array()) throw FormatError("claim_wait.buckets: expected an array");
    for (const json& b : buckets) {
        const auto index = b.at("index").get<std::size_t>();
        if (index >= cueball::LatencyHistogram::kBuckets) throw FormatError("claim_wait.buckets: index out of range");
        h.add_to_bucket(index, b.at("count").get<std::uint64_t>());
    }
    h.sum = std::chrono::nanoseconds(j.at("sum_ns").get<std::int64_t>());
    return h;
}

// By the names to_string() gives, whatever states the library knows.
cueball::BackendState parse_state(const std::string& text) {
    for (unsigned i = 0; i <= 255; ++i) {
        const auto state = static_cast<cueball::BackendState>(i);
        if (text == cueball::to_string(state)) return state;
    }
    throw FormatError("unknown backend state '" + text + "'");
}

cueball::BackendStats parse_backend(const json& j) {
    cueball::BackendStats b;
    b.key = j.at("key").get<std::string>();
    b.backend.address = j.at("address").get<std::string>();
    b.backend.port = j.at("port").get<std::uint16_t>();
    b.backend.name = j.at("name").get<std::string>();
    b.state = parse_state(j.at("state").get<std::string>());
    b.idle = j.at("idle").get<std::size_t>();
    b.claimed = j.at("claimed").get<std::size_t>();
    b.connecting = j.at("connecting").get<std::size_t>();
    b.target = j.at("target").get<std::size_t>();
    b.connect_failures = j.at("connect_failures").get<std::uint64_t>();
    b.consecutive_failures = j.at("consecutive_failures").get<std::uint64_t>();
    b.last_error = j.at("last_error").get<std::string>();
    b.counters = parse_counters(j.at("counters"));
    b.claim_wait = parse_histogram(j.at("claim_wait"));
    const json& retry = j.at("retry_in_ms");
    if (!retry.is_null()) b.retry_in = std::chrono::milliseconds(retry.get<std::int64_t>());
    return b;
}

cueball::PoolStats parse_pool(const json& j) {
    cueball::PoolStats p;
    p.name = j.at("name").get<std::string>();
    p.max_connections = j.at("max_connections").get<std::size_t>();
    p.total_connections = j.at("total_connections").get<std::size_t>();
    p.idle_connections = j.at("idle_connections").get<std::size_t>();
    p.claimed_connections = j.at("claimed_connections").get<std::size_t>();
    p.pending_connections = j.at("pending_connections").get<std::size_t>();
    p.waiters = j.at("waiters").get<std::size_t>();
    p.counters = parse_counters(j.at("counters"));
    p.claim_wait = parse_histogram(j.at("claim_wait"));
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
