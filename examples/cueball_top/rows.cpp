#include "rows.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace top {

namespace {

using cueball::BackendState;
using cueball::BackendStats;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains(std::string_view text, std::string_view needle) {
    return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                       [](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

// Digit runs compare as numbers, so that 10.0.0.9 comes before 10.0.0.10
// and host:80 before host:443; everything else byte by byte.
int natural_compare(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    while (i < a.size() && j < b.size()) {
        if (digit(a[i]) && digit(b[j])) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && a[ei] == '0') ++ei;
            while (ej < b.size() && b[ej] == '0') ++ej;
            std::size_t ni = ei, nj = ej;
            while (ni < a.size() && digit(a[ni])) ++ni;
            while (nj < b.size() && digit(b[nj])) ++nj;
            if (ni - ei != nj - ej) return ni - ei < nj - ej ? -1 : 1;
            if (const int c = a.substr(ei, ni - ei).compare(b.substr(ej, nj - ej)); c != 0) return c < 0 ? -1 : 1;
            i = ni, j = nj;
            continue;
        }
        if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        ++i, ++j;
    }
    if (i < a.size() || j < b.size()) return i < a.size() ? 1 : -1;
    return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);  // "01" and "1": still an order
}

// Lower is worse: the order SortKey::State lists them in.
int severity(BackendState state) {
    switch (state) {
        case BackendState::Dead: return 0;
        case BackendState::Ejected: return 1;
        case BackendState::Failing: return 2;
        case BackendState::Connecting: return 3;
        case BackendState::Draining: return 4;
        case BackendState::Online: return 5;
    }
    return -1;  // a state a newer library added: unknown, so first
}

// Negative when a comes first in `key`'s natural order, 0 when they tie.
// Rows without a rate come after every row with one.
int compare(const BackendRow& a, const BackendRow& b, SortKey key) {
    const auto three_way = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    const auto most_first = [&](const auto& x, const auto& y) {
        if (x.has_value() != y.has_value()) return x.has_value() ? -1 : 1;
        return x ? three_way(*y, *x) : 0;
    };
    const BackendStats& x = *a.stats;
    const BackendStats& y = *b.stats;
    switch (key) {
        case SortKey::Key: return 0;
        case SortKey::State: return three_way(severity(x.state), severity(y.state));
        case SortKey::Failures: return three_way(y.connect_failures, x.connect_failures);
        case SortKey::Claims: return most_first(a.rates.claims_per_s, b.rates.claims_per_s);
        case SortKey::P99: return most_first(a.rates.p99, b.rates.p99);
        case SortKey::Priority: return three_way(x.backend.priority, y.backend.priority);
        case SortKey::Ejections: return three_way(y.counters.ejections, x.counters.ejections);
    }
    return 0;
}

}  // namespace

Rates rates(std::uint64_t claims_now, const cueball::LatencyHistogram& wait_now, std::uint64_t claims_then,
            const cueball::LatencyHistogram& wait_then, double seconds) {
    Rates r;
    if (seconds <= 0 || claims_now < claims_then || wait_now.count() < wait_then.count()) return r;
    r.claims_per_s = static_cast<double>(claims_now - claims_then) / seconds;
    const cueball::LatencyHistogram delta = wait_now.since(wait_then);
    if (delta.count() > 0) r.p99 = delta.quantile(0.99);
    return r;
}

bool matches(const BackendStats& backend, std::string_view filter) {
    return filter.empty() || contains(backend.key, filter) || contains(cueball::to_string(backend.state), filter);
}

std::vector<BackendRow> backend_rows(const cueball::PoolStats& now, const cueball::PoolStats* then, double seconds,
                                     std::string_view filter, SortKey key, bool reverse) {
    // By key, so that ten thousand backends are not ten thousand scans.
    std::unordered_map<std::string_view, const BackendStats*> earlier;
    if (then != nullptr) {
        for (const BackendStats& b : then->backends) earlier.emplace(b.key, &b);
    }
    std::vector<BackendRow> rows;
    for (const BackendStats& b : now.backends) {
        if (!matches(b, filter)) continue;
        BackendRow row{&b, {}};
        if (const auto it = earlier.find(b.key); it != earlier.end()) {
            row.rates = rates(b.counters.claims, b.claim_wait, it->second->counters.claims, it->second->claim_wait,
                              seconds);
        }
        rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end(), [&](const BackendRow& a, const BackendRow& b) {
        int order = compare(a, b, key);
        if (order == 0) order = natural_compare(a.stats->key, b.stats->key);
        return reverse ? order > 0 : order < 0;
    });
    return rows;
}

}  // namespace top
