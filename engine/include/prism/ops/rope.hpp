#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// How the rotated dimensions of a head are paired, and where the angle's position comes
// from. The numbers in comments are ggml's rope mode ids, whose semantics these follow.
enum class RopeMode {
    normal,  // 0: pairs (2i, 2i+1); Llama as stored by llama.cpp's converter
    neox,    // 2: pairs (i, i + n_rot/2); Qwen2/3, Gemma 3
    multi,   // 8: M-RoPE (Qwen2-VL/2.5-VL text): neox pairs, pair i takes the t, h, w or e
             //    position by `sections`; the frequency exponent runs on across sections
    vision,  // 24: 2-D RoPE of the Qwen2-VL ViT: n_rot = head_dim/2, pairs (i, i + n_rot) over
             //    the whole head, the exponent restarts at each section
};

// ggml's rope_ext / rope_multi parameters. Angle of rotated pair i at position p:
//   theta_extrap = p * freq_base^(-2e/n_rot) / freq_factors[i]   (e = i, or i - section start)
//   theta = theta_extrap * (freq_scale * (1 - mix) + mix),  mix = ext_factor * ramp(i)
//   ramp(i) = 1 - clamp((i - low) / max(0.001, high - low), 0, 1), [low, high] from YaRN's
//   correction dims of beta_fast / beta_slow over n_ctx_orig;
// cos and sin are scaled by attn_factor, times (1 + 0.1 ln(1/freq_scale)) when ext_factor != 0.
struct RopeParams {
    RopeMode mode = RopeMode::normal;
    std::int32_t n_rot = 0;  // rotated dims per head (even); 0 means the whole head
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;  // linear scaling: 1 / scaling factor
    float ext_factor = 0.0f;  // YaRN: 0 turns it off
    float attn_factor = 1.0f;
    float beta_fast = 32.0f;
    float beta_slow = 1.0f;
    std::int32_t n_ctx_orig = 0;  // YaRN's original training context
    // multi/vision: rotated pairs per position plane t, h, w, e (multi: they usually sum to
    // n_rot/2; pair i uses plane by (i mod sum)).
    std::array<std::int32_t, 4> sections{};
};

// Rotates x, f32 [head_dim, n_heads, n_tokens] (head_dim contiguous, any row strides), by
// the positions, I32: [n_tokens] for normal/neox; for multi/vision four planes of n_tokens,
// t then h then w then e (ggml's layout; ne [4 * n_tokens] or [n_tokens, 4], contiguous).
// freq_factors (optional) is f32 [n_rot/2] (Llama 3 `rope_freqs`). out has x's shape and may
// be x itself (in place). Dims beyond n_rot are copied unchanged.
void rope(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& positions,
          const gpu::Tensor& out, const RopeParams& params,
          const gpu::Tensor* freq_factors = nullptr);

namespace cpu {
// Straightforward reference in double precision: positions as for rope() (one per token, or
// four planes), freq_factors empty or n_rot/2 values.
HostTensor rope(const HostTensor& x, std::span<const std::int32_t> positions,
                const RopeParams& params, std::span<const float> freq_factors = {});
}  // namespace cpu

// YaRN's [low, high] correction range in pair indices, as ggml computes it (f32 math).
std::array<float, 2> rope_yarn_corr_dims(std::int32_t n_rot, std::int32_t n_ctx_orig,
                                         float freq_base, float beta_fast, float beta_slow);

// The angle constants the rope shaders take (rope_angle.glsl's RopeAngle, less the
// per-dispatch offsets): log2 of the base, the YaRN correction range and the cos/sin scale.
struct RopeAngleConstants {
    float log2_base, freq_scale, ext_factor, mscale, corr_low, corr_high;
};
RopeAngleConstants rope_angle_constants(const RopeParams& params, std::int32_t n_rot);

}  // namespace prism::ops
