#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// out = a + b elementwise over f32 tensors of a's shape; b is broadcast when each of its
// dimensions divides a's (a bias row). Any strides.
void add(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& b, const gpu::Tensor& out);

namespace cpu {
HostTensor add(const HostTensor& a, const HostTensor& b);
}  // namespace cpu

}  // namespace prism::ops
