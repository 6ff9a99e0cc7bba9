#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Copies src into dst, converting between f32 and f16 (any pair). Both may have any strides,
// so a permuted or transposed view on either side makes the copy a layout change, and a view
// of a KV cache as dst makes it a cache write. The shapes may differ when the element counts
// agree: elements go in logical order (dim 0 fastest, then 1, 2, 3) on both sides, like a
// reshape. f32 -> f16 rounds to nearest, ties to even, bit-exact with prism::float_to_half
// (overflow gives inf, NaN stays NaN); f16 -> f32 is exact; same-type copies move the bits.
void copy(gpu::Recorder& rec, const gpu::Tensor& src, const gpu::Tensor& dst);

namespace cpu {
// What a contiguous copy of x.permuted-like view holds: element (j0..j3) of the result is
// x(i0..i3) where j[axis_k] = i_k, as gpu::Tensor::permuted(axis0, axis1, axis2, axis3).
HostTensor permute(const HostTensor& x, int axis0, int axis1, int axis2, int axis3);
// x with every value rounded to the nearest f16 (prism::float_to_half), as f32.
HostTensor round_to_f16(const HostTensor& x);
}  // namespace cpu

}  // namespace prism::ops
