#include "layout.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace top {

Window window(std::size_t rows, std::size_t height, std::size_t offset) {
    Window w;
    if (rows <= height) {
        w.count = rows;
        return w;
    }
    if (height <= 1) {
        w.below = rows;
        return w;
    }
    if (height == 2) {
        // One row and one mark line; in the middle that line counts both ways.
        w.max_offset = rows - 1;
        w.first = std::min(offset, w.max_offset);
        w.count = 1;
        w.above = w.first;
        w.below = rows - w.first - 1;
        return w;
    }
    // At the bottom only the "more above" mark is shown.
    w.max_offset = rows - (height - 1);
    w.first = std::min(offset, w.max_offset);
    w.above = w.first;
    const std::size_t lines = height - (w.above > 0 ? 1 : 0);
    w.count = w.first + lines >= rows ? rows - w.first : lines - 1;
    w.below = rows - w.first - w.count;
    return w;
}

std::vector<std::size_t> share_lines(const std::vector<std::size_t>& wanted, std::size_t available,
                                     std::size_t focus) {
    const std::size_t n = wanted.size();
    std::vector<std::size_t> given(n, 0);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Shares only grow along this order, so a block cut short leaves nothing
    // over. Among equal wants the later get what the division leaves: the
    // focused block goes last of its equals.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::pair(wanted[a], a == focus) < std::pair(wanted[b], b == focus);
    });
    std::size_t left = available;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[k];
        given[i] = std::min(wanted[i], left / (n - k));
        left -= given[i];
    }
    return given;
}

}  // namespace top
