#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <string>

#include "prism/error.hpp"
#include "text/algorithms.hpp"
#include "text/utf8.hpp"

namespace prism::text {
namespace {

bool is_chinese_char(UChar32 c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_punctuation(UChar32 c) {
    return (U_GET_GC_MASK(c) & U_GC_P_MASK) != 0;
}

bool is_symbol(UChar32 c) {
    return (U_GET_GC_MASK(c) & U_GC_S_MASK) != 0;
}

bool is_other(UChar32 c) {  // Cc, Cf, Co, Cs, Cn
    return (U_GET_GC_MASK(c) & U_GC_C_MASK) != 0;
}

// BERT's basic tokenizer as llama.cpp runs it: each character replaced by the first character
// of its canonical decomposition (so accents on precomposed letters go: "Ä" -> "a"), lower case,
// whitespace splits words, punctuation (and ASCII symbols, and CJK ideographs) are words of
// their own, controls vanish.
std::vector<std::string> words_of(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) throw Error(std::string("ICU NFD: ") + u_errorName(status));
    icu::UnicodeString decomposition;

    std::vector<std::string> words(1);
    for (std::size_t pos = 0; pos < text.size();) {
        const DecodedChar d = decode_utf8(text.substr(pos));
        pos += d.bytes;
        UChar32 c = static_cast<UChar32>(d.cp);
        if (nfd->getDecomposition(c, decomposition)) c = decomposition.char32At(0);
        if (u_hasBinaryProperty(c, UCHAR_WHITE_SPACE)) {
            if (!words.back().empty()) words.emplace_back();
            continue;
        }
        if (c == 0 || c == 0xFFFD || is_other(c)) continue;
        std::string s;
        append_utf8(s, static_cast<char32_t>(u_tolower(c)));
        if (is_punctuation(c) || (c < 0x7F && is_symbol(c)) || is_chinese_char(c)) {
            if (!words.back().empty()) words.emplace_back();
            words.back() = std::move(s);
            words.emplace_back();
        } else {
            words.back() += s;
        }
    }
    if (words.back().empty()) words.pop_back();
    return words;
}

}  // namespace

void encode_wordpiece(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) {
    for (const std::string& w : words_of(text)) {
        // Word starts are stored with U+2581 in the GGUF (BERT's "##" marks the others).
        const std::string word = "\xE2\x96\x81" + w;
        const std::size_t before = out.size();
        const std::size_t n = word.size();
        for (std::size_t i = 0; i < n;) {
            bool matched = false;
            for (std::size_t j = std::min(n, i + vocab.max_token_bytes + 1); j > i; --j) {
                if (const auto id = vocab.find_for_text(std::string_view(word).substr(i, j - i))) {
                    out.push_back(*id);
                    i = j;
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                out.resize(before);
                break;
            }
        }
        if (out.size() == before && vocab.unk) out.push_back(*vocab.unk);
    }
}

}  // namespace prism::text
