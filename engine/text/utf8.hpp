#pragma once

// UTF-8 helpers and GPT-2's byte <-> printable-character mapping used by byte-level BPE.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace prism::text {

// Length of the UTF-8 sequence a lead byte announces; 1 for a byte that cannot lead one, so
// that malformed text still advances (llama.cpp's unicode_len_utf8).
std::size_t utf8_sequence_length(unsigned char lead);

struct DecodedChar {
    char32_t cp;        // U+FFFD for a malformed sequence
    std::size_t bytes;  // bytes consumed, >= 1
};
// Decodes the character at the start of `s` (not empty), strictly: overlong forms, surrogates
// and truncated sequences give U+FFFD and consume one byte.
DecodedChar decode_utf8(std::string_view s);

void append_utf8(std::string& out, char32_t cp);

// GPT-2's map: each byte to a printable character ("Ġ" for a space) ...
std::string_view byte_to_bpe_char(unsigned char byte);
// ... and back; false when `cp` is not one of the 256 characters.
bool bpe_char_to_byte(char32_t cp, unsigned char& byte);

}  // namespace prism::text
