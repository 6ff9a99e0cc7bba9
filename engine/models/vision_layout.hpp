#pragma once

// Host-side token bookkeeping of the Qwen2-VL / Qwen2.5-VL vision tower: the order its patches
// run in, their 2-D RoPE positions, and Qwen2.5-VL's attention windows.

#include <cstdint>
#include <utility>
#include <vector>

namespace prism::models {

struct QwenTokenOrder {
    // RoPE positions of the tokens in run order: four planes (y, x, y, x) of n_patches each.
    std::vector<std::int32_t> positions;
    // Windowed runs only (else empty). Merge cells are groups of merge^2 consecutive tokens.
    // Run row i holds merge-order cell window_gather[i]; output cell c is run row
    // window_scatter[c], which brings the merger's rows back to row-major order.
    std::vector<std::int32_t> window_gather, window_scatter;
    // Token ranges [begin, end) of the attention windows in run order (one range when
    // there are no windows).
    std::vector<std::pair<std::int64_t, std::int64_t>> windows;
};

// patches_x, patches_y: the patch grid (multiples of merge). window_cells: window side in merge
// cells (Qwen2.5-VL: window_size / patch / merge = 4); 0 means no windows (Qwen2-VL).
QwenTokenOrder qwen_token_order(std::int64_t patches_x, std::int64_t patches_y, std::int64_t merge,
                                std::int64_t window_cells);

}  // namespace prism::models
