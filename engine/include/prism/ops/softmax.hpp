#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Softmax over dim 0 of f32 x (every other dim is a row), out of x's shape (may be x itself),
// any strides: out[i] = exp(scale * x[i] - m) / sum_j exp(scale * x[j] - m) over the first
// `valid` values of the row (1 .. ne0; 0 means all of them); the values past them become 0.
// Attention written as two products uses it for the scores: `valid` masks keys, and the zeros
// fill the padding the second product reads.
void softmax(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float scale = 1.0f,
             std::int64_t valid = 0);

namespace cpu {
// Double-precision reference.
HostTensor softmax(const HostTensor& x, float scale = 1.0f, std::int64_t valid = 0);
}  // namespace cpu

}  // namespace prism::ops
