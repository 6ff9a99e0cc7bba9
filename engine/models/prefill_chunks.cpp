#include "models/prefill_chunks.hpp"

#include <algorithm>
#include <string>

#include "prism/error.hpp"

namespace prism::models {

std::vector<std::int64_t> prefill_chunk_ends(
    std::int64_t n, std::int64_t chunk,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& spans) {
    if (chunk < 1) throw Error("prefill: the chunk must hold at least one row");
    std::vector<std::int64_t> ends;
    std::size_t s = 0;
    for (std::int64_t at = 0; at < n;) {
        std::int64_t end = std::min(n, at + chunk);
        while (s < spans.size() && spans[s].second <= at) ++s;
        if (s < spans.size()) {
            const auto [b, e] = spans[s];
            if (e - b > chunk)
                throw Error("prefill: an image of " + std::to_string(e - b) +
                            " rows attends bidirectionally and must fit in one prefill chunk of " +
                            std::to_string(chunk) + " rows");
            if (b < end && e > end) end = b;  // b > at: the span fits a chunk
            // Only one span per chunk: the next one starts a new chunk.
            if (b < end && s + 1 < spans.size() && spans[s + 1].first < end)
                end = spans[s + 1].first;
        }
        ends.push_back(end);
        at = end;
    }
    return ends;
}

}  // namespace prism::models
