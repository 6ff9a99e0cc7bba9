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

}  // namespace prism::ops
