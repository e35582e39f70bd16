#include "text.hpp"

namespace top {

namespace {

// Length of the UTF-8 sequence at text[i] if it is valid, else 0. Overlong
// forms, surrogates and code points past U+10FFFF count as invalid.
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t min = 0;
    char32_t cp = 0;
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) {
        length = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c >> 4) == 0xe) {
        length = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c >> 3) == 0x1e) {
        length = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next >> 6) != 0x2) return 0;
        cp = (cp << 6) | (next & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    // C1 controls (U+0080..U+009F) move terminals' cursors like C0 ones.
    if (cp < 0xa0) return 0;
    return length;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) >> 6) == 0x2; }

}  // namespace

std::string printable(std::string_view raw, bool utf8) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c < 0x20 || c == 0x7f) {
            out += '?';
            ++i;
            continue;
        }
        const std::size_t length = utf8 ? utf8_length(raw, i) : (c < 0x80 ? 1 : 0);
        if (length == 0) {
            out += '?';
            ++i;
            continue;
        }
        out.append(raw, i, length);
        i += length;
    }
    return out;
}

std::size_t columns(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) n += continuation(c) ? 0 : 1;
    return n;
}

std::string clip(std::string_view text, std::size_t skip, std::size_t width) {
    std::size_t column = 0;
    std::size_t begin = text.size();
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        if (continuation(text[i])) continue;
        if (column == skip) begin = i;
        if (column == skip + width) break;
        ++column;
    }
    if (begin >= i) return {};
    return std::string(text.substr(begin, i - begin));
}

std::string fit(std::string_view text, std::size_t width) {
    const std::size_t n = columns(text);
    if (n <= width) return std::string(text) + std::string(width - n, ' ');
    if (width < 3) return clip(text, 0, width);
    const std::size_t tail = (width - 1) / 2;
    const std::size_t head = width - 1 - tail;
    return clip(text, 0, head) + "~" + clip(text, n - tail, tail);
}

}  // namespace top
