#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/unary.hpp"

namespace prism::ops {

// What matvec_fused() does around the product out = weight · x'.
struct MatvecFusion {
    // Prologue. With `norm`, x' = rms_norm(x) * norm (f32 [K], epsilon `eps`) per column.
    // With `residual` as well (Gemma 3's post-norm residual add), x is first replaced by
    // x + rms_norm(residual) * residual_norm, and that sum is written to `x_out` (a tensor of
    // x's shape that overlaps neither x nor out) for the next layer.
    const gpu::Tensor* norm = nullptr;
    const gpu::Tensor* residual = nullptr;
    const gpu::Tensor* residual_norm = nullptr;
    const gpu::Tensor* x_out = nullptr;
    float eps = 1e-6f;

    // Epilogue: store (+ bias f32 [M]), accumulate (out += product: a residual add), or gated:
    // the weight is [K, 2M], gate rows then up rows, and out [M, N] = act(gate) * up.
    enum class Output { store, accumulate, gated };
    Output output = Output::store;
    const gpu::Tensor* bias = nullptr;
    Activation activation = Activation::silu;  // gated: silu or gelu (tanh)
};

// Matrix-vector product (N <= kMatvecMaxColumns columns of x) with the norm, residual, bias
// and gated activation of `f` in the same dispatch. weight, x and out as for matmul(): x f32
// [K, N], out f32 [M, N], both contiguous along dim 0. The numbers equal those of the
// separate ops (rms_norm, matmul, add, gated) up to the order of the norm's sum.
void matvec_fused(gpu::Recorder& rec, const gpu::Tensor& weight, const gpu::Tensor& x,
                  const gpu::Tensor& out, const MatvecFusion& f);

}  // namespace prism::ops
