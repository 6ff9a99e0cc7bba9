#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/ops/unary.hpp"

namespace prism::ops {

// Gated linear units of feed-forward blocks: out = act(gate) * up elementwise (f32).
// swiglu is Activation::silu, geglu gelu, geglu_erf gelu_erf, geglu_quick gelu_quick.
//
// Separate form: gate, up and out have one shape; any strides.
void gated(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate, const gpu::Tensor& up,
           const gpu::Tensor& out);

// Fused form, for converters that concatenate the two projections into one weight:
// gate_up is [2n, ...], its first n elements along dim 0 are the gate and the last n the up;
// out is [n, ...] with the other dims equal. Any strides.
void gated_fused(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate_up,
                 const gpu::Tensor& out);

namespace cpu {
HostTensor gated(Activation act, const HostTensor& gate, const HostTensor& up);
HostTensor gated_fused(Activation act, const HostTensor& gate_up);
}  // namespace cpu

}  // namespace prism::ops
