#include <algorithm>
#include <optional>
#include <string>

#include "text/algorithms.hpp"
#include "text/symbol_merge.hpp"
#include "text/utf8.hpp"

namespace prism::text {

void encode_spm(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) {
    std::vector<MergeSymbol> symbols;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(text[pos])),
                                       text.size() - pos);
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, pos + n == text.size() ? -1 : index + 1, pos, n});
        pos += n;
    }
    if (symbols.empty()) return;

    // Highest score first: the key is the negated score of the joined token.
    merge_symbols<float>(
        symbols, [&](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<float> {
            const auto id = vocab.find_for_text(text.substr(l.begin, l.size + r.size));
            if (!id) return std::nullopt;
            return -vocab.scores[static_cast<std::size_t>(*id)];
        });

    for (int i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
        const MergeSymbol& s = symbols[static_cast<std::size_t>(i)];
        const std::string_view piece = text.substr(s.begin, s.size);
        if (const auto id = vocab.find_for_text(piece)) {
            out.push_back(*id);
            continue;
        }
        // Not in the vocabulary: one byte token per byte, as SentencePiece's byte fallback.
        for (const char c : piece) {
            const TokenId byte_token = vocab.byte_tokens[static_cast<unsigned char>(c)];
            if (byte_token >= 0) {
                out.push_back(byte_token);
            } else if (const auto single = vocab.find_for_text(std::string_view(&c, 1))) {
                out.push_back(*single);
            } else if (vocab.unk) {
                out.push_back(*vocab.unk);
            }
        }
    }
}

}  // namespace prism::text
