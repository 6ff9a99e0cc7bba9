#pragma once

#include <cstdint>
#include <span>

#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::ops {

// Which keys a query sees. Query i sits at absolute position q_pos0 + i; keys are positions
// 0 .. n_kv-1 of the cache. Key j is visible iff
//   none:            always (encoders, bidirectional blocks)
//   causal:          j <= q_pos
//   sliding_window:  q_pos - window < j <= q_pos   (Gemma 3 SWA layers)
// A query that sees no key at all gets an output of zeros.
// A non-causal span [span_begin, span_end) widens causal and sliding-window masks: a query
// inside it also sees the span's later keys (Gemma 3 attends bidirectionally within one
// image's rows), i.e. keys up to span_end - 1. Every visible range stays one contiguous range.
enum class AttentionMask { none, causal, sliding_window };

enum class AttentionKernel {
    automatic,  // decode for one query, tiled otherwise
    decode,     // flash-decoding: one workgroup per (query, head[, kv split])
    tiled,      // flash attention: one workgroup per (query tile, head), variant for the device
    tiled_gpu,  // flash attention tuned for GPUs: invocations share each row's work via shared
                // memory
    tiled_cpu,  // flash attention tuned for CPU drivers: one query row per invocation, in registers
};

struct AttentionParams {
    AttentionMask mask = AttentionMask::none;
    std::int64_t q_pos0 = 0;
    std::int64_t window = 0;  // sliding_window only, >= 1
    float scale = 0.0f;       // 0 means 1/sqrt(head_dim)
    // Absolute key positions of one non-causal span; begin == end (the default) is none.
    std::int64_t span_begin = 0;
    std::int64_t span_end = 0;
    float softcap = 0.0f;  // > 0: logits become softcap * tanh(logits / softcap)
    AttentionKernel kernel = AttentionKernel::automatic;
    // Decode kernel only: split the keys over this many workgroups per (query, head) and merge
    // the partial softmaxes in a second dispatch; 0 picks from the device and the shape.
    // Splitting needs a scratch tensor (attention_scratch_bytes); without one there is none.
    std::uint32_t kv_splits = 0;
    // A ring cache: K and V hold the last n_kv of kv_rows key rows, row j in slot j % n_kv
    // (a sliding-window layer's cache; mask must be sliding_window, and window + n_q - 1
    // must fit in n_kv). 0: the cache holds rows 0 .. n_kv - 1 as they are.
    std::int64_t kv_rows = 0;
};

// out = softmax(Q Kᵀ · scale [softcapped] + mask) V per head, f32 accumulation.
//   q:   f32 [head_dim, n_q, n_heads]; any token/head strides (a permuted view of the
//        rope output [head_dim, n_heads, n_q] works as is).
//   k,v: f16 [head_dim, n_kv, n_kv_heads]; any token/head strides that are multiples of
//        8 bytes, start 8-byte aligned. Head h reads kv head h / (n_heads / n_kv_heads).
//   out: f32 [head_dim, n_heads, n_q] (head_dim * n_heads = the output projection's input).
// The KV cache layout Prism uses is token-major, [head_dim, n_kv_heads, n_ctx] f16: a new
// token's keys for all heads are one contiguous write, the K projection's output converted
// in place order; kv_cache_view() turns its first n_kv tokens into the view expected here.
// head_dim: a multiple of 8, at most 256 (64, 80, 128, 256 are the ones models use).
void attention(gpu::Recorder& rec, const gpu::Tensor& q, const gpu::Tensor& k, const gpu::Tensor& v,
               const gpu::Tensor& out, const AttentionParams& params,
               const gpu::Tensor* scratch = nullptr);

// The head size attention() runs a model's heads of head_dim at: rounded up to a multiple of 8.
// Callers zero-pad Q, K and V to it (padding lanes add nothing to a dot product) and scale by
// the real head_dim.
std::int64_t attention_head_dim(std::int64_t head_dim);

// Bytes of f32 scratch attention() uses to split the decode kernel's keys for this shape on
// this device (0 when it would not split). Allocate it once for the largest n_kv.
std::uint64_t attention_scratch_bytes(const gpu::DeviceInfo& device, std::int64_t head_dim,
                                      std::int64_t n_heads, std::int64_t n_q, std::int64_t n_kv,
                                      const AttentionParams& params);

// The first n_kv tokens of a token-major cache f16 [head_dim, n_kv_heads, n_ctx] (contiguous)
// as the [head_dim, n_kv, n_kv_heads] view attention() reads.
gpu::Tensor kv_cache_view(const gpu::Tensor& cache, std::int64_t n_kv);

namespace cpu {
// Reference: q f32 [head_dim, n_q, n_heads]; k and v contiguous f16 bits
// [head_dim, n_kv, n_kv_heads]; returns f32 [head_dim, n_heads, n_q]. Double accumulation.
HostTensor attention(const HostTensor& q, std::span<const std::uint16_t> k,
                     std::span<const std::uint16_t> v, std::int64_t n_kv, std::int64_t n_kv_heads,
                     const AttentionParams& params);
}  // namespace cpu

}  // namespace prism::ops
