#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

struct SoftmaxParams {
    float scale = 1.0f;
    // Logit soft-cap (Gemma): when > 0, v = cap * tanh(v / cap) after scaling, before the mask.
    float soft_cap = 0.0f;
};

// out = softmax(x * scale (soft-capped) + mask) over dim 0 of each row of f32 x; out has x's
// shape (may be x), any strides. mask is optional (nullptr), f32 or f16, [ne0, m1] with
// m1 >= x.ne[1] (padded attention masks are fine) and dims 2, 3 of 1: row (i1, i2, i3) adds
// mask row i1. Entries may be -inf. A row whose every logit is -inf (fully masked) comes out
// as all zeros, never NaN. Rows of any length (vocabulary-sized rows are fine).
void softmax(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out,
             const SoftmaxParams& params = {}, const gpu::Tensor* mask = nullptr);

namespace cpu {
// Double-precision reference; mask holds the mask's values as f32 (round f16 masks first).
HostTensor softmax(const HostTensor& x, const SoftmaxParams& params = {},
                   const HostTensor* mask = nullptr);
}  // namespace cpu

}  // namespace prism::ops
