#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/ops/unary.hpp"

namespace prism::ops {

// Gated linear units of feed-forward blocks: out = act(gate) * up elementwise (f32).
// swiglu is Activation::silu, geglu gelu, geglu_erf gelu_erf, geglu_quick gelu_quick.
// gate, up and out have one shape; any strides.
void gated(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate, const gpu::Tensor& up,
           const gpu::Tensor& out);

namespace cpu {
HostTensor gated(Activation act, const HostTensor& gate, const HostTensor& up);
}  // namespace cpu

}  // namespace prism::ops
