#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Average pooling over the token axes of token-major activations (ne0 = channels); windows
// lie inside the input (no padding), so a trailing remainder shorter than the stride is
// dropped, as PyTorch's AvgPool does by default. f32, any strides in and out.

// Output length along one axis: (n - kernel) / stride + 1; throws when kernel > n.
std::int64_t pool_output_length(std::int64_t n, std::int64_t kernel, std::int64_t stride);

// 1-D pool over time: in [C, T, ...] -> out [C, (T - kernel) / stride + 1, ...]; dims 2 and 3
// are independent batches. Whisper-family encoders (qwen2a, voxtral) use kernel 2, stride 2.
void avg_pool1d(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& out,
                std::int64_t kernel, std::int64_t stride);

// 2-D pool over a token grid: in [C, W, H, B], where token (x, y) of a W x H grid is column
// y * W + x, which is the order conv2d_patch emits patches in; a [C, W * H] activation is
// therefore this tensor with ne = {C, W, H}, nb = {4, 4C, 4CW}, no copy needed.
// kernel x kernel windows, `stride` apart in both directions (Gemma 3: 64 x 64 grid, kernel 4,
// stride 4 -> 16 x 16). out [C, (W - k) / s + 1, (H - k) / s + 1, B], tokens again row-major.
void avg_pool2d(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& out,
                std::int64_t kernel, std::int64_t stride);

namespace cpu {
// Same contracts on host tensors; sums in double.
HostTensor avg_pool1d(const HostTensor& in, std::int64_t kernel, std::int64_t stride);
HostTensor avg_pool2d(const HostTensor& in, std::int64_t kernel, std::int64_t stride);
}  // namespace cpu

}  // namespace prism::ops
