#include "spread.hpp"

#include <algorithm>
#include <numeric>

namespace cueball::detail {

std::vector<std::size_t> spread_evenly(std::size_t total, const std::vector<std::size_t>& current) {
    const std::size_t n = current.size();
    if (n == 0) return {};
    std::vector<std::size_t> target(n, total / n);
    std::size_t extra = total % n;
    if (extra == 0) return target;
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return current[a] > current[b]; });
    for (std::size_t i = 0; i < extra; ++i) ++target[order[i]];
    return target;
}

}  // namespace cueball::detail
