#pragma once

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// out = a followed by b along `dim` (0..3): out.ne[dim] = a.ne[dim] + b.ne[dim], every other
// extent equal. a, b and out share one type, F32 or F16 (values are copied, never rounded);
// a and b may have any strides (permuted views), out is usually contiguous but need not be.
// out must not overlap a or b.
void concat(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& b, const gpu::Tensor& out,
            int dim);

namespace cpu {
HostTensor concat(const HostTensor& a, const HostTensor& b, int dim);
}  // namespace cpu

}  // namespace prism::ops
