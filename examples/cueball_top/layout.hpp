// How many lines each block of rows gets, and which of its rows a block of a
// given height shows with its "more above" / "more below" marks. Pure.
#pragma once

#include <cstddef>
#include <vector>

namespace top {

/// The part of `rows` rows a block of `height` lines shows from `offset` on.
/// A mark takes a line of its own: "more above" when rows before `first` are
/// hidden, "more below" when rows after `first + count` are.
struct Window {
    std::size_t first = 0;       ///< first row shown (the clamped offset)
    std::size_t count = 0;       ///< rows shown
    std::size_t above = 0;       ///< rows hidden above (a mark when > 0)
    std::size_t below = 0;       ///< rows hidden below (a mark when > 0)
    std::size_t max_offset = 0;  ///< the offset that shows the last row
};

/// Height 1 with more than one row shows only the "more below" mark; height 0
/// shows nothing; height 2 shows one row and one mark line, which in the
/// middle counts the rows hidden both ways.
Window window(std::size_t rows, std::size_t height, std::size_t offset);

/// `available` lines shared among blocks that would use `wanted[i]` lines:
/// each gets what it wants up to an equal share of what is left, the short
/// ones first; of equal ones, `focus` gets what an even split leaves over.
std::vector<std::size_t> share_lines(const std::vector<std::size_t>& wanted, std::size_t available,
                                     std::size_t focus);

}  // namespace top
