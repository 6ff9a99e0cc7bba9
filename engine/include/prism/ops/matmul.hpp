#pragma once

#include <cstdint>
#include <span>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/tensor_type.hpp"

namespace prism::ops {

// out[m, n] = sum_k weight[k, m] * x[k, n]: a linear layer. `weight` is a contiguous
// [K, M] tensor of any computable type (K a whole number of its blocks), x is f32 [K, N]
// and out f32 [M, N], both contiguous along dim 0 (columns may be strided). N <= 8 takes
// the matrix-vector path (reads each weight once), larger N the tiled path. Weights larger
// than one storage binding are processed in chunks of rows. Batch dims (ne[2], ne[3] > 1)
// are rejected for now.
void matmul(gpu::Recorder& rec, const gpu::Tensor& weight, const gpu::Tensor& x,
            const gpu::Tensor& out);

// Largest N that matmul() computes with the matrix-vector path.
constexpr std::int64_t kMatvecMaxColumns = 8;

namespace cpu {
// Reference for matmul(): `weight` holds the raw bytes of a [K, M] tensor of `type`;
// x is [K, N]; returns [M, N]. Dequantizes with prism::dequantize, accumulates in double.
HostTensor matmul(TensorType type, std::span<const std::byte> weight, std::int64_t K,
                  std::int64_t M, const HostTensor& x);
}  // namespace cpu

}  // namespace prism::ops
