#include "session/whisper_suppress.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace prism::session {

std::vector<TokenId> whisper_suppress_tokens(const text::Tokenizer& tokenizer,
                                             const WhisperTokens& special) {
    // openai-whisper (whisper/tokenizer.py, non_speech_tokens): single characters and
    // sequences that, as one token with or without a leading space, are never speech; the
    // musical symbols are suppressed by their first token even when they take several.
    static constexpr std::string_view kSymbols[] = {
        "\"",  "#",  "(",  ")",   "*",   "+",   "/",   ":",  ";",   "<",  "=",  ">",
        "@",   "[",  "\\", "]",   "^",   "_",   "`",   "{",  "|",   "}",  "~",  "「",
        "」",  "『", "』", "<<",  ">>",  "<<<", ">>>", "--", "---", "-(", "-[", "('",
        "(\"", "((", "))", "(((", ")))", "[[",  "]]",  "{{", "}}",  "♪♪", "♪♪♪"};
    static constexpr std::string_view kMusic[] = {"♩", "♪", "♫", "♬", "♭", "♮", "♯"};
    const text::EncodeOptions plain{.add_special = false, .parse_special = false};
    std::vector<TokenId> out;
    for (const std::string_view lead : {" -", " '"}) {
        const auto ids = tokenizer.encode(lead, plain);
        if (!ids.empty()) out.push_back(ids.front());
    }
    const auto add = [&](std::string_view symbol, bool first_of_many) {
        for (const std::string& text : {std::string(symbol), " " + std::string(symbol)}) {
            const auto ids = tokenizer.encode(text, plain);
            if (ids.size() == 1 || (first_of_many && !ids.empty())) out.push_back(ids.front());
        }
    };
    for (const auto s : kSymbols) add(s, false);
    for (const auto s : kMusic) add(s, true);
    for (const TokenId id : {special.sot, special.translate, special.transcribe, special.sot_lm,
                             special.sot_prev, special.no_speech}) {
        out.push_back(id);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace prism::session
