#pragma once

#include <cstddef>
#include <optional>
#include <queue>
#include <vector>

namespace prism::text {

// A run of bytes in the text being tokenized, linked to its neighbours.
struct MergeSymbol {
    int prev;
    int next;
    std::size_t begin;  // byte range in the text
    std::size_t size;   // 0 once merged into its left neighbour
};

// Greedy pairwise merging shared by SentencePiece and BPE: repeatedly joins the adjacent pair
// with the best (lowest) key until no pair has one; `key(left, right)` gives a pair's key or
// nullopt when the pair may not merge. Ties go to the leftmost pair, so results do not depend
// on heap order. Afterwards the live symbols are linked from index 0 through `next`.
template <typename Key, typename KeyOf>
void merge_symbols(std::vector<MergeSymbol>& symbols, KeyOf key) {
    struct Pair {
        int left;
        int right;
        Key key;
        std::size_t size;
    };
    struct Worse {
        bool operator()(const Pair& a, const Pair& b) const {
            return b.key < a.key || (!(a.key < b.key) && a.left > b.left);
        }
    };
    std::priority_queue<Pair, std::vector<Pair>, Worse> queue;
    auto offer = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const MergeSymbol& l = symbols[static_cast<std::size_t>(left)];
        const MergeSymbol& r = symbols[static_cast<std::size_t>(right)];
        if (const std::optional<Key> k = key(l, r)) queue.push({left, right, *k, l.size + r.size});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) offer(i - 1, i);

    while (!queue.empty()) {
        const Pair p = queue.top();
        queue.pop();
        MergeSymbol& l = symbols[static_cast<std::size_t>(p.left)];
        MergeSymbol& r = symbols[static_cast<std::size_t>(p.right)];
        // Stale: one side was merged away or grew since the pair was offered (symbols only grow
        // rightwards over contiguous bytes, so equal sizes mean the same text).
        if (l.size == 0 || r.size == 0 || l.size + r.size != p.size) continue;
        l.size += r.size;
        r.size = 0;
        l.next = r.next;
        if (r.next >= 0) symbols[static_cast<std::size_t>(r.next)].prev = p.left;
        offer(l.prev, p.left);
        offer(p.left, l.next);
    }
}

}  // namespace prism::text
