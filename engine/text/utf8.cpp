#include "text/utf8.hpp"

#include <array>

namespace prism::text {

std::size_t utf8_sequence_length(unsigned char lead) {
    static constexpr std::size_t kByHighNibble[16] = {1, 1, 1, 1, 1, 1, 1, 1,
                                                      1, 1, 1, 1, 2, 2, 3, 4};
    return kByHighNibble[lead >> 4];
}

DecodedChar decode_utf8(std::string_view s) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80) return {b0, 1};
    std::size_t n = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return {U'\uFFFD', 1};
    }
    if (s.size() < n) return {U'\uFFFD', 1};
    for (std::size_t i = 1; i < n; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xC0) != 0x80) return {U'\uFFFD', 1};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {U'\uFFFD', 1};
    return {cp, n};
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

namespace {

bool is_printable(char32_t b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

// Printable bytes stand for themselves; the others (controls, space, a few Latin-1 ones) are
// moved to U+0100 and up, in byte order. This is the table GPT-2's vocabulary is written in.
struct ByteLevelTable {
    std::array<char32_t, 256> to_char{};
    std::array<std::string, 256> to_utf8;
    ByteLevelTable() {
        char32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const auto c = static_cast<char32_t>(b);
            to_char[static_cast<std::size_t>(b)] = is_printable(c) ? c : next++;
            append_utf8(to_utf8[static_cast<std::size_t>(b)], to_char[static_cast<std::size_t>(b)]);
        }
    }
};

const ByteLevelTable& table() {
    static const ByteLevelTable t;
    return t;
}

}  // namespace

std::string_view byte_to_bpe_char(unsigned char byte) {
    return table().to_utf8[byte];
}

bool bpe_char_to_byte(char32_t cp, unsigned char& byte) {
    if (is_printable(cp)) {
        byte = static_cast<unsigned char>(cp);
        return true;
    }
    if (cp >= 256 && cp < 256 + 68) {
        // The 68 moved bytes, in order: 0x00-0x20, 0x7F-0xA0, 0xAD.
        const unsigned k = static_cast<unsigned>(cp - 256);
        if (k <= 0x20)
            byte = static_cast<unsigned char>(k);
        else if (k < 0x21 + 34)
            byte = static_cast<unsigned char>(0x7F + (k - 0x21));
        else
            byte = 0xAD;
        return true;
    }
    return false;
}

}  // namespace prism::text
