#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "prism/gpu/binding.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::ops::detail {

// Shared host side of the convolutions lowered to a GEMM (shaders/conv_gemm.glsl):
// out[M, N] = W[M rows of K] * im2col(input)[K, N] (+ bias[M]).

// Checks what every conv GEMM needs: weight F32/F16 and contiguous, bias (when given) f32
// contiguous [M], out f32 contiguous, input f32 with strides in whole elements.
void check_conv_gemm_args(std::string_view op, const gpu::Tensor& input, const gpu::Tensor& weight,
                          const gpu::Tensor* bias, const gpu::Tensor& out, std::int64_t m);

// Throws unless every element index of `t` fits the shaders' 32-bit arithmetic.
void require_u32_indexable(std::string_view op, std::string_view arg, const gpu::Tensor& t);

struct ConvGemmBindings {
    gpu::BoundTensor weight, input, bias, out;
};

// Binds the four shader arguments; without a bias the input stands in for it (never read).
ConvGemmBindings bind_conv_gemm(const gpu::Context& ctx, const gpu::Tensor& input,
                                const gpu::Tensor& weight, const gpu::Tensor* bias,
                                const gpu::Tensor& out);

struct ConvGemmLaunch {
    const gpu::Pipeline* pipeline = nullptr;
    std::array<std::uint32_t, 3> groups{};
};

// Picks tile sizes for the device and problem, the "<shader_base>_f32|_f16" variant and the
// workgroup grid (ceil(M / BM), ceil(N / BN)); throws when the grid exceeds device limits.
ConvGemmLaunch plan_conv_gemm(gpu::Recorder& rec, std::string_view op, std::string_view shader_base,
                              TensorType weight_type, std::uint64_t m, std::uint64_t n,
                              bool has_bias);

}  // namespace prism::ops::detail
