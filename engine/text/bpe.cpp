#include <optional>
#include <string>

#include "text/algorithms.hpp"
#include "text/symbol_merge.hpp"
#include "text/utf8.hpp"

namespace prism::text {

void encode_bpe_piece(const Vocab& vocab, std::string_view piece, std::vector<TokenId>& out) {
    std::string word;  // the piece in GPT-2's byte-level alphabet
    std::vector<MergeSymbol> symbols;
    for (const char c : piece) {
        const std::string_view ch = byte_to_bpe_char(static_cast<unsigned char>(c));
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, index + 1, word.size(), ch.size()});
        word += ch;
    }
    if (symbols.empty()) return;
    symbols.back().next = -1;

    if (vocab.ignore_merges) {
        if (const auto id = vocab.find_for_text(word)) {
            out.push_back(*id);
            return;
        }
    }

    // Lowest merge rank first.
    std::string key;
    merge_symbols<int>(symbols,
                       [&](const MergeSymbol& l, const MergeSymbol& r) -> std::optional<int> {
                           key.assign(word, l.begin, l.size);
                           key += ' ';
                           key.append(word, r.begin, r.size);
                           const auto it = vocab.merge_ranks.find(key);
                           if (it == vocab.merge_ranks.end()) return std::nullopt;
                           return it->second;
                       });

    for (int i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
        const MergeSymbol& s = symbols[static_cast<std::size_t>(i)];
        const std::string_view text = std::string_view(word).substr(s.begin, s.size);
        if (const auto id = vocab.find_for_text(text)) {
            out.push_back(*id);
            continue;
        }
        // A merge result missing from the vocabulary: fall back to its single characters.
        for (std::size_t p = 0; p < text.size();) {
            const std::size_t n = utf8_sequence_length(static_cast<unsigned char>(text[p]));
            if (const auto id = vocab.find_for_text(text.substr(p, n))) out.push_back(*id);
            p += n;
        }
    }
}

}  // namespace prism::text
