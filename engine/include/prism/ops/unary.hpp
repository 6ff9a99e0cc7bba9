#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

enum class Activation {
    silu,        // x * sigmoid(x)
    gelu,        // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    gelu_erf,    // exact form 0.5 x (1 + erf(x / sqrt 2)); the GPU's erf is an approximation,
                 // |error| <= 7.5e-8 * |x| (Abramowitz & Stegun 7.1.26, |erf error| <= 1.5e-7)
    gelu_quick,  // x * sigmoid(1.702 x)
};

// out = act(x) elementwise over f32 tensors of one shape, any strides (out may be x).
void unary(gpu::Recorder& rec, Activation act, const gpu::Tensor& x, const gpu::Tensor& out);

namespace cpu {
// The activations in double precision with the C library's exp, tanh and erf.
float activate(Activation act, float x);
HostTensor unary(Activation act, const HostTensor& x);
}  // namespace cpu

}  // namespace prism::ops
