#include <queue>
#include <string>

#include "text/algorithms.hpp"
#include "text/utf8.hpp"

namespace prism::text {
namespace {

struct Symbol {
    int prev;
    int next;
    std::size_t begin;  // byte range in the text
    std::size_t size;   // 0 once merged into its left neighbour
};

struct Bigram {
    int left;
    int right;
    float score;
    std::size_t size;
};

// Highest score first; on a tie the leftmost pair, so results do not depend on heap order.
struct LowerPriority {
    bool operator()(const Bigram& a, const Bigram& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

}  // namespace

void encode_spm(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out) {
    std::vector<Symbol> symbols;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(text[pos])),
                                       text.size() - pos);
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({index - 1, pos + n == text.size() ? -1 : index + 1, pos, n});
        pos += n;
    }
    if (symbols.empty()) return;

    std::priority_queue<Bigram, std::vector<Bigram>, LowerPriority> queue;
    auto offer = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols[static_cast<std::size_t>(left)];
        const Symbol& r = symbols[static_cast<std::size_t>(right)];
        const std::string_view joined = text.substr(l.begin, l.size + r.size);
        const auto id = vocab.find_for_text(joined);
        if (!id) return;
        queue.push({left, right, vocab.scores[static_cast<std::size_t>(*id)], joined.size()});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) offer(i - 1, i);

    while (!queue.empty()) {
        const Bigram b = queue.top();
        queue.pop();
        Symbol& l = symbols[static_cast<std::size_t>(b.left)];
        Symbol& r = symbols[static_cast<std::size_t>(b.right)];
        // Stale: one side was merged away or grew since the pair was offered.
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
