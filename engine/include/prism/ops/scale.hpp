#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// out = a * s + b elementwise over f32 tensors of one shape, any strides (out may be a).
// Two roundings (a product, then a sum; never fused into an fma) on the GPU and in the
// reference, so the two agree bit for bit.
void scale(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& out, float s,
           float b = 0.0f);

namespace cpu {
HostTensor scale(const HostTensor& a, float s, float b = 0.0f);
}  // namespace cpu

}  // namespace prism::ops
