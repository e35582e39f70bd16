// Text for a terminal cell grid: names from the network made printable, and
// cut or padded to a number of columns. Pure.
//
// A column is one code point: East Asian wide characters take two cells on
// most terminals and will push the rest of their line to the right.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace top {

/// `raw` with every control character (C0, DEL, C1) and, with `utf8`, every
/// byte that is not part of a valid UTF-8 sequence replaced by '?'; without
/// `utf8` every byte above 0x7f is replaced too, for terminals that are not
/// UTF-8.
std::string printable(std::string_view raw, bool utf8);

/// Columns `text` takes (its code points; `text` is printable()).
std::size_t columns(std::string_view text);

/// The columns [skip, skip + width) of `text` (whole code points).
std::string clip(std::string_view text, std::size_t skip, std::size_t width);

/// Exactly `width` columns: padded with spaces, or, when longer, the head and
/// the tail of `text` around a '~' (a host's port stays visible).
std::string fit(std::string_view text, std::size_t width);

}  // namespace top
