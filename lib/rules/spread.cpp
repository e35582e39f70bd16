#include "spread.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace cueball::detail {

std::vector<std::size_t> split_by_weight(std::size_t total, std::span<const std::uint16_t> weights,
                                         std::span<const std::size_t> current, std::size_t rotation) {
    const std::size_t n = weights.size();
    std::vector<std::size_t> out(n, 0);
    if (n == 0) return out;
    const bool all_zero = std::all_of(weights.begin(), weights.end(), [](std::uint16_t w) { return w == 0; });
    auto weight = [&](std::size_t i) -> std::uint64_t { return all_zero ? 1 : weights[i]; };
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += weight(i);
    // total <= 1e6 and each weight <= 65535: total * weight fits in 64 bits.
    std::vector<std::uint64_t> remainder(n, 0);
    std::size_t given = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t share = static_cast<std::uint64_t>(total) * weight(i);
        out[i] = static_cast<std::size_t>(share / sum);
        remainder[i] = share % sum;
        given += out[i];
    }
    std::size_t leftover = total - given;
    if (leftover == 0) return out;
    std::vector<std::size_t> order;
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (weight(i) > 0) order.push_back(i);
    }
    const std::size_t start = rotation % n;
    auto rank = [&](std::size_t i) { return (i + n - start) % n; };
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
        if (!current.empty() && current[a] != current[b]) return current[a] > current[b];
        return rank(a) < rank(b);
    });
    for (std::size_t k = 0; k < leftover && k < order.size(); ++k) ++out[order[k]];
    return out;
}

std::vector<std::size_t> plan_targets(std::size_t size, std::span<const SpreadInput> backends, std::size_t rotation,
                                      bool prefer_current) {
    const std::size_t n = backends.size();
    std::vector<std::size_t> targets(n, 0);
    std::uint16_t tier = std::numeric_limits<std::uint16_t>::max();
    bool any = false;
    for (const SpreadInput& b : backends) {
        if (usable(b.state)) {
            tier = std::min(tier, b.priority);
            any = true;
        }
    }
    if (!any) return targets;

    std::vector<std::size_t> members, healthy;
    for (std::size_t i = 0; i < n; ++i) {
        if (!usable(backends[i].state) || backends[i].priority != tier) continue;
        members.push_back(i);
        if (backends[i].state != BackendState::Failing) healthy.push_back(i);
    }
    auto split = [&](std::size_t total, const std::vector<std::size_t>& group) {
        std::vector<std::uint16_t> weights;
        std::vector<std::size_t> current;
        for (std::size_t i : group) {
            weights.push_back(backends[i].weight);
            if (prefer_current) current.push_back(backends[i].live);
        }
        return split_by_weight(total, weights, current, rotation);
    };
    const std::vector<std::size_t> shares = split(size, members);
    if (healthy.empty() || healthy.size() == members.size()) {
        for (std::size_t k = 0; k < members.size(); ++k) targets[members[k]] = shares[k];
        return targets;
    }
    std::size_t kept = 0;
    for (std::size_t k = 0; k < members.size(); ++k) {
        const SpreadInput& b = backends[members[k]];
        if (b.state != BackendState::Failing) continue;
        targets[members[k]] = std::min(b.open, shares[k]);
        kept += targets[members[k]];
    }
    const std::vector<std::size_t> rest = split(size - kept, healthy);
    for (std::size_t k = 0; k < healthy.size(); ++k) targets[healthy[k]] = rest[k];
    return targets;
}

}  // namespace cueball::detail
