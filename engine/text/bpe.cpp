#include <queue>
#include <string>

#include "text/algorithms.hpp"
#include "text/utf8.hpp"

namespace prism::text {
namespace {

struct Symbol {
    int prev;
    int next;
    std::size_t begin;  // byte range in the encoded piece
    std::size_t size;   // 0 once merged into its left neighbour
};

struct Bigram {
    int left;
    int right;
    int rank;
    std::size_t size;
};

// Lowest merge rank first; on a tie the leftmost pair.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

}  // namespace

void encode_bpe_piece(const Vocab& vocab, std::string_view piece, std::vector<TokenId>& out) {
    std::string word;  // the piece in GPT-2's byte-level alphabet
    std::vector<Symbol> symbols;
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

    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
    std::string key;
    auto offer = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<std::size_t>(left)];
        const Symbol& r = symbols[static_cast<std::size_t>(right)];
        key.assign(word, l.begin, l.size);
        key += ' ';
        key.append(word, r.begin, r.size);
        const auto it = vocab.merge_ranks.find(key);
        if (it == vocab.merge_ranks.end()) return;
        queue.push({left, right, it->second, l.size + r.size});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) offer(i - 1, i);

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<std::size_t>(b.left)];
        Symbol& r = symbols[static_cast<std::size_t>(b.right)];
        // Stale: since symbols only grow to the right and are contiguous, equal sizes mean the
        // same text as when the pair was offered.
        if (l.size == 0 || r.size == 0 || l.size + r.size != b.size) continue;
        l.size += r.size;
        r.size = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = b.left;
        offer(l.prev, b.left);
        offer(b.left, l.next);
    }

    for (int i = 0; i != -1; i = symbols[static_cast<std::size_t>(i)].next) {
        const Symbol& s = symbols[static_cast<std::size_t>(i)];
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
