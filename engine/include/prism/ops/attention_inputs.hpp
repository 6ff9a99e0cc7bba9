#pragma once

#include <cstdint>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/rope.hpp"

namespace prism::ops {

// How attention_inputs() turns the fused projection's heads into attention's inputs.
struct AttentionInputParams {
    RopeParams rope;  // normal, neox or multi
    const gpu::Tensor* freq_factors = nullptr;
    // Per-head RMS norms of queries and keys (Qwen3, Gemma 3): f32 [head_dim] each, or none.
    const gpu::Tensor* q_norm = nullptr;
    const gpu::Tensor* k_norm = nullptr;
    float eps = 1e-6f;
};

// One dispatch from the fused Q/K/V projection to what attention() reads:
//   qkv:       f32 [(n_heads + 2 n_kv_heads) * head_dim, n_tokens], query heads, then key
//              heads, then value heads (the rows of the fused weight), contiguous along dim 0
//   positions: i32 as for rope() (one per token, four planes for multi)
//   q_out:     f32 [hd_pad, n_heads, n_tokens], contiguous: the rotated queries, zeros in
//              lanes head_dim .. hd_pad - 1
//   k, v:      f16 [head_dim, n_kv_heads, n_tokens] views of cache slots (any strides that are
//              multiples of 2 bytes): the rotated keys and the values
// Each query and key head is normalised (when a norm is given), then rotated, exactly as
// rms_norm() and rope() would; values are only converted.
void attention_inputs(gpu::Recorder& rec, const gpu::Tensor& qkv, const gpu::Tensor& positions,
                      const gpu::Tensor& q_out, const gpu::Tensor& k, const gpu::Tensor& v,
                      const AttentionInputParams& params);

}  // namespace prism::ops
