#pragma once

// A straightforward CPU forward pass of a `llama` decoder, straight from a GGUF file's
// tensors (dequantized with prism::dequantize, ops from prism::ops::cpu, attention in double).
// K and V are rounded to f16 as the GPU cache stores them, so the comparison measures the
// kernels, not the cache format.

#include <cstdint>
#include <span>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"

namespace prism::test {

// Logits of every token of `tokens` (positions 0..), token-major: [n_vocab] per token.
std::vector<float> reference_forward(const gguf::File& file, std::span<const std::int32_t> tokens);

// max |a - b| over two equally long vectors, and max |a|.
struct LogitGap {
    float max_abs_diff = 0;
    float max_abs = 0;
};
LogitGap logit_gap(std::span<const float> expected, std::span<const float> actual);

}  // namespace prism::test
