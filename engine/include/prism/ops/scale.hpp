#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// out = a * s + b elementwise over f32 tensors of one shape, any strides (out may be a).
// Computed as one fused multiply-add, fma(a, s, b), on the GPU and in the reference, so the
// two agree bit for bit; with b = 0 that is exactly a * s.
void scale(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& out, float s, float b = 0.0f);

namespace cpu {
HostTensor scale(const HostTensor& a, float s, float b = 0.0f);
}  // namespace cpu

}  // namespace prism::ops
