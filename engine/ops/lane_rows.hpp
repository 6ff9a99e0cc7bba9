#pragma once

#include <cstdint>

#include "prism/tensor_type.hpp"

namespace prism::ops {

// Types whose blocks the matrix-vector kernels can decode whole in registers
// (shaders/block_words.glsl), so that on CPU devices each invocation takes rows of its own
// ("lane rows") instead of splitting every row across the workgroup.
bool has_block_decoder(TensorType type);

// The most columns the lane-rows paths take: their unrolled bodies grow with them.
constexpr std::int64_t kLaneRowsMaxColumns = 8;

// Rows per invocation (lane rows) or per one-subgroup workgroup on CPU devices for `columns`
// columns of x: fewer as columns grow, since the unrolled code (and lavapipe's compile time)
// grows with rows x columns. Lane rows share each x load among the invocation's rows: one row
// per invocation ran 2.5x slower than four on lavapipe, two 1.7x.
constexpr std::uint32_t cpu_matvec_rows(std::int64_t columns) {
    return columns <= 2 ? 4u : columns <= 4 ? 2u : 1u;
}

}  // namespace prism::ops
