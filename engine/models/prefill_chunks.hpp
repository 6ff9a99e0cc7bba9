#pragma once

// How a prompt of n rows splits into prefill chunks, for the decoder (one command buffer per
// chunk) and the session (which checks for cancellation between pieces) alike.

#include <cstdint>
#include <utility>
#include <vector>

namespace prism::models {

// The end of each chunk of at most `chunk` rows over rows [0, n). Non-causal spans [begin, end)
// (sorted, disjoint) are never cut: a span that would be moves whole into the next chunk, and a
// chunk holds at most one span. Throws Error when chunk < 1 or a span is longer than chunk.
std::vector<std::int64_t> prefill_chunk_ends(
    std::int64_t n, std::int64_t chunk,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& spans);

}  // namespace prism::models
