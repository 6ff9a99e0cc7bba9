#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Patch embedding of a ViT: a conv2d whose kernel equals its stride (P x P, no padding).
//   image  f32 [W, H, C, B]: planar channels (x fastest), as a preprocessed image is laid out;
//          any strides. W and H must be multiples of P.
//   weight F32 or F16 [P, P, C, D], contiguous: GGUF's layout of a PyTorch Conv2d [D, C, P, P].
//   bias   f32 [D] or nullptr.
//   out    f32 contiguous [D, (W/P) * (H/P), B]: one embedding per patch, patches in row-major
//          order (index = py * (W/P) + px), i.e. token-major input for a transformer.
void conv2d_patch(gpu::Recorder& rec, const gpu::Tensor& image, const gpu::Tensor& weight,
                  const gpu::Tensor* bias, const gpu::Tensor& out);

namespace cpu {
// Same contract on host tensors (f16 weights: pass their values widened to f32). Accumulates in
// double, so it is the exact product up to one final rounding.
HostTensor conv2d_patch(const HostTensor& image, const HostTensor& weight, const HostTensor* bias);
}  // namespace cpu

}  // namespace prism::ops
