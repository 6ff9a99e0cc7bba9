#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

struct Conv1dParams {
    std::int64_t stride = 1;
    std::int64_t padding = 0;  // zeros on both ends of the time axis
};

// T_out = (T + 2 * padding - K) / stride + 1; throws when the parameters are invalid or the
// padded input is shorter than the kernel.
std::int64_t conv1d_output_length(std::int64_t t, std::int64_t kernel, Conv1dParams params);

// 1-D convolution over time, as Whisper's encoder stem uses it (K = 3, padding 1, stride 1
// then 2).
//   input  f32 [C_in, T]: feature-major (one column per time step, like every activation);
//          any strides. A mel spectrogram stored [T, n_mel] is this tensor seen permuted.
//   weight F32 or F16 [K, C_in, C_out], contiguous: GGUF's layout of a PyTorch Conv1d
//          [C_out, C_in, K].
//   bias   f32 [C_out] or nullptr.
//   out    f32 contiguous [C_out, T_out].
void conv1d(gpu::Recorder& rec, const gpu::Tensor& input, const gpu::Tensor& weight,
            const gpu::Tensor* bias, const gpu::Tensor& out, Conv1dParams params);

namespace cpu {
// Same contract on host tensors (f16 weights: pass their values widened to f32). Accumulates in
// double.
HostTensor conv1d(const HostTensor& input, const HostTensor& weight, const HostTensor* bias,
                  Conv1dParams params);
}  // namespace cpu

}  // namespace prism::ops
