#pragma once

#include <cstdint>
#include <span>

#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/tensor_type.hpp"

namespace prism::ops {

// out[m, n] = sum_k weight[k, m] * x[k, n]: a linear layer. `weight` is a contiguous
// [K, M] tensor of any computable type (K a whole number of its blocks), x is f32 [K, N]
// and out f32 [M, N], both contiguous along dim 0 (columns may be strided). A few columns (up
// to 8 on GPUs, 2 to 4 by type on CPU devices) take the matrix-vector path (reads each weight
// once), more the matrix-matrix one. Weights larger
// than one storage binding are processed in chunks of rows. Batch dims (ne[2], ne[3] > 1)
// are rejected for now.
void matmul(gpu::Recorder& rec, const gpu::Tensor& weight, const gpu::Tensor& x,
            const gpu::Tensor& out);

// Largest N that matmul() may compute with the matrix-vector path, and that matvec_fused()
// takes.
constexpr std::int64_t kMatvecMaxColumns = 8;

// The most tokens a decoder chunk should take through the fused matrix-vector step on
// `device` rather than the prefill path's matrix-matrix products: kMatvecMaxColumns on GPUs,
// 2 on CPU devices, where the matrix-matrix kernel is faster from 3 columns.
std::int64_t decode_max_columns(const gpu::DeviceInfo& device);

namespace cpu {
// Reference for matmul(): `weight` holds the raw bytes of a [K, M] tensor of `type`;
// x is [K, N]; returns [M, N]. Dequantizes with prism::dequantize, accumulates in double.
HostTensor matmul(TensorType type, std::span<const std::byte> weight, std::int64_t K,
                  std::int64_t M, const HostTensor& x);
}  // namespace cpu

}  // namespace prism::ops
