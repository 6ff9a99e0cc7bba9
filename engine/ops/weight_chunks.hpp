#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::ops {

// A weight tensor split along rows into pieces that each fit one storage binding
// (maxStorageBufferRange), as dequant.glsl addresses them: in units of 4 bytes for F32
// and 2 bytes for every other type.
struct WeightChunk {
    gpu::BoundTensor bound;
    std::uint32_t first_row = 0;  // row of the whole tensor where the chunk starts
    std::uint32_t rows = 0;
    std::uint32_t row_units = 0;  // units per row
};

// Checks that `weight` is a contiguous 2-D tensor of a computable type and splits it.
std::vector<WeightChunk> weight_chunks(const gpu::Context& context, std::string_view op,
                                       const gpu::Tensor& weight);

// Whether a chunk's rows allow the wide weight loads of dequant_chunk.glsl: 16-byte aligned
// rows for plain types (uvec4 / vec4 of values), 4-byte aligned rows for block types.
bool wide_rows(TensorType type, const WeightChunk& c);

// Shader variant suffix of a weight type: "q4_k", "f16", ...
std::string weight_variant(TensorType type);

}  // namespace prism::ops
