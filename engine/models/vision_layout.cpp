#include "models/vision_layout.hpp"

#include <algorithm>

namespace prism::models {

QwenTokenOrder qwen_token_order(std::int64_t patches_x, std::int64_t patches_y, std::int64_t merge,
                                std::int64_t window_cells) {
    const std::int64_t cells_x = patches_x / merge, cells_y = patches_y / merge;
    const std::int64_t n_cells = cells_x * cells_y, per_cell = merge * merge;
    const std::int64_t n = n_cells * per_cell;

    // Cells in run order: row-major, or window by window (windows row-major, cells row-major
    // inside each, edge windows smaller), as HF's get_window_index and clip.cpp order them.
    std::vector<std::int32_t> cells;
    cells.reserve(static_cast<std::size_t>(n_cells));
    QwenTokenOrder order;
    if (window_cells <= 0) {
        for (std::int64_t c = 0; c < n_cells; ++c) cells.push_back(static_cast<std::int32_t>(c));
        order.windows.emplace_back(0, n);
    } else {
        for (std::int64_t wy = 0; wy < cells_y; wy += window_cells) {
            for (std::int64_t wx = 0; wx < cells_x; wx += window_cells) {
                const auto begin = static_cast<std::int64_t>(cells.size()) * per_cell;
                for (std::int64_t cy = wy; cy < std::min(wy + window_cells, cells_y); ++cy) {
                    for (std::int64_t cx = wx; cx < std::min(wx + window_cells, cells_x); ++cx) {
                        cells.push_back(static_cast<std::int32_t>(cy * cells_x + cx));
                    }
                }
                order.windows.emplace_back(begin,
                                           static_cast<std::int64_t>(cells.size()) * per_cell);
            }
        }
        order.window_gather = cells;
        order.window_scatter.resize(cells.size());
        for (std::size_t i = 0; i < cells.size(); ++i) {
            order.window_scatter[static_cast<std::size_t>(cells[i])] = static_cast<std::int32_t>(i);
        }
    }

    order.positions.resize(static_cast<std::size_t>(4 * n));
    std::int64_t t = 0;
    for (const std::int32_t cell : cells) {
        const std::int64_t cy = cell / cells_x, cx = cell % cells_x;
        for (std::int64_t dy = 0; dy < merge; ++dy) {
            for (std::int64_t dx = 0; dx < merge; ++dx, ++t) {
                const auto y = static_cast<std::int32_t>(cy * merge + dy);
                const auto x = static_cast<std::int32_t>(cx * merge + dx);
                for (std::int64_t plane = 0; plane < 4; ++plane) {
                    order.positions[static_cast<std::size_t>(plane * n + t)] =
                        plane % 2 == 0 ? y : x;
                }
            }
        }
    }
    return order;
}

}  // namespace prism::models
