#include "text/pretokenizer.hpp"

#include <unicode/regex.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <string>

#include "prism/error.hpp"
#include "prism/printable.hpp"
#include "text/utf8.hpp"

namespace prism::text {
namespace {

// The patterns are written as in llama.cpp / the models' tokenizer.json. ICU's \s is narrower
// than Unicode's White_Space (it lacks \v and U+0085), so \s and \S are rewritten below.
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kTekken =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt4o =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kPoro = R"( ?[^(\s|.,!?…。，、।۔،)]+)";

std::vector<std::string> patterns_for(std::string_view pre) {
    auto is = [&](std::initializer_list<std::string_view> names) {
        return std::find(names.begin(), names.end(), pre) != names.end();
    };
    if (is({"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
            "lfm2", "dbrx", "smaug-bpe", "chatglm-bpe"})) {
        return {kLlama3};
    }
    if (is({"qwen2", "deepseek-r1-qwen", "megrez", "stablelm2"})) return {kQwen2};
    if (is({"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
            "jina-v2-de", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais"})) {
        return {kGpt2};
    }
    if (is({"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"})) {
        return {R"(\p{N})", kGpt2};
    }
    if (pre == "falcon") {
        return {R"([\p{P}\$\+<=>\^~\|`]+)", kGpt2, R"([0-9][0-9][0-9])"};
    }
    if (pre == "deepseek-llm") {
        return {
            R"([\r\n])",
            // Cased letters; the \x{} escapes are characters that Unicode normalisation would
            // silently change in an editor (Greek oxia forms, OHM SIGN, KELVIN SIGN).
            R"(\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\x{1F7D}ᾀ-ᾴᾶ-ᾼ\x{1FBE}ῂ-ῄῆ-ῌῐ-\x{1FD3}ῖ-\x{1FDB}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\x{2126}ℨ\x{212A}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+)",
            R"(\s?[!-/:-~！-／：-～‘-‟　-。]+)",
            R"(\s+\z)",
            R"([一-龥ࠀ-一가-퟿]+)",
            R"(\p{N}+)",
        };
    }
    if (pre == "deepseek-v3") {
        return {
            R"(\p{N}{1,3})",
            R"([一-龥぀-ゟ゠-ヿ]+)",
            R"([!"#$%\&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
        };
    }
    if (pre == "deepseek-coder") {
        return {R"([\r\n])", R"(\s?\p{L}+)", R"(\s?\p{P}+)", R"([一-龥ࠀ-一가-퟿]+)",
                R"(\p{N})"};
    }
    if (is({"poro-chat", "bloom", "gpt3-finnish"})) return {kPoro};
    if (pre == "viking") return {kPoro, R"(\p{N})"};
    if (pre == "tekken") return {kTekken};
    if (is({"gpt-4o", "llama4"})) return {kGpt4o};
    if (pre == "default") {
        return {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", R"([0-9][0-9][0-9])"};
    }
    throw Error("tokenizer.ggml.pre '" + printable(pre) + "' is not a known pre-tokenizer");
}

std::string with_unicode_whitespace(std::string p) {
    std::string out;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\' && i + 1 < p.size()) {
            if (p[i + 1] == 's') {
                out += R"(\p{White_Space})";
            } else if (p[i + 1] == 'S') {
                out += R"(\P{White_Space})";
            } else {
                out += p.substr(i, 2);
            }
            ++i;
        } else {
            out += p[i];
        }
    }
    return out;
}

}  // namespace

struct PreTokenizer::Patterns {
    std::vector<std::unique_ptr<icu::RegexPattern>> list;
};

PreTokenizer::PreTokenizer(std::string_view pre_name) : patterns_(std::make_unique<Patterns>()) {
    for (const std::string& p : patterns_for(pre_name)) {
        UErrorCode status = U_ZERO_ERROR;
        UParseError parse_error{};
        const icu::UnicodeString pattern = icu::UnicodeString::fromUTF8(with_unicode_whitespace(p));
        std::unique_ptr<icu::RegexPattern> compiled(
            icu::RegexPattern::compile(pattern, 0, parse_error, status));
        if (U_FAILURE(status) || !compiled) {
            throw Error("pre-tokenizer '" + std::string(pre_name) + "': regex does not compile (" +
                        u_errorName(status) + ")");
        }
        patterns_->list.push_back(std::move(compiled));
    }
}

PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;
PreTokenizer::~PreTokenizer() = default;

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
    // Characters with their byte offsets, and the UTF-16 text the regexes run on. llama.cpp
    // runs its regexes with non-ASCII whitespace replaced by \v; doing the same keeps the
    // splits identical where a pattern names such a character in a class.
    std::vector<std::size_t> byte_at;  // character index -> byte offset (size n + 1)
    std::vector<int32_t> u16_at;       // character index -> UTF-16 offset (size n + 1)
    icu::UnicodeString u16;
    for (std::size_t pos = 0; pos < text.size();) {
        const DecodedChar c = decode_utf8(text.substr(pos));
        byte_at.push_back(pos);
        u16_at.push_back(u16.length());
        UChar32 cp = static_cast<UChar32>(c.cp);
        if (cp > 0x7F && u_hasBinaryProperty(cp, UCHAR_WHITE_SPACE)) cp = 0x0B;
        u16.append(cp);
        pos += c.bytes;
    }
    const std::size_t n = byte_at.size();
    byte_at.push_back(text.size());
    u16_at.push_back(u16.length());
    std::vector<std::size_t> char_at_u16(static_cast<std::size_t>(u16.length()) + 1, 0);
    for (std::size_t i = 0; i <= n; ++i) char_at_u16[static_cast<std::size_t>(u16_at[i])] = i;

    std::vector<std::size_t> pieces = {n};  // lengths in characters
    if (n == 0) pieces.clear();
    for (const auto& pattern : patterns_->list) {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::RegexMatcher> m(pattern->matcher(u16, status));
        if (U_FAILURE(status)) throw Error(std::string("pre-tokenizer: ") + u_errorName(status));
        std::vector<std::size_t> next;
        next.reserve(pieces.size() * 2);
        std::size_t start = 0;
        for (const std::size_t len : pieces) {
            // Bounds are opaque (the default): lookahead and \z stop at the piece's end.
            m->region(u16_at[start], u16_at[start + len], status);
            std::size_t done = start;
            while (m->find(status) && U_SUCCESS(status)) {
                const std::size_t a = char_at_u16[static_cast<std::size_t>(m->start(status))];
                const std::size_t b = char_at_u16[static_cast<std::size_t>(m->end(status))];
                if (b == a) continue;
                if (a > done) next.push_back(a - done);
                next.push_back(b - a);
                done = b;
            }
            if (U_FAILURE(status))
                throw Error(std::string("pre-tokenizer: ") + u_errorName(status));
            if (start + len > done) next.push_back(start + len - done);
            start += len;
        }
        pieces = std::move(next);
    }

    std::vector<std::string_view> out;
    out.reserve(pieces.size());
    std::size_t c = 0;
    for (const std::size_t len : pieces) {
        out.push_back(text.substr(byte_at[c], byte_at[c + len] - byte_at[c]));
        c += len;
    }
    return out;
}

}  // namespace prism::text
