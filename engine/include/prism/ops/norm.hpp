#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Row normalisations over dim 0 of f32 x (every other dim is a row), out of x's shape (may
// be x itself), any strides. weight and bias are optional (nullptr) f32 [ne0] vectors,
// fused into the same pass.
//   rms_norm:   out = x / sqrt(mean(x^2) + eps) * weight
//   layer_norm: out = (x - mean) / sqrt(var + eps) * weight + bias   (var is biased, 1/n)
void rms_norm(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float eps,
              const gpu::Tensor* weight = nullptr);
void layer_norm(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float eps,
                const gpu::Tensor* weight = nullptr, const gpu::Tensor* bias = nullptr);

namespace cpu {
// Double-precision accumulation; weight and bias are [ne0] or empty (no data).
HostTensor rms_norm(const HostTensor& x, float eps, const HostTensor* weight = nullptr);
HostTensor layer_norm(const HostTensor& x, float eps, const HostTensor* weight = nullptr,
                      const HostTensor* bias = nullptr);
}  // namespace cpu

}  // namespace prism::ops
