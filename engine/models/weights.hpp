#pragma once

// The decoder's weights on the device, each in the type the file stores it in.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/models/architecture.hpp"

namespace prism::models {

struct LayerWeights {
    gpu::Tensor attn_norm, wo;
    gpu::Tensor ffn_norm, ffn_down;
    // Q, K and V as one [n_embd, q_dim + 2 kv_dim] matrix when their types allow it (the same
    // type, or legacy types Q8_0 holds exactly), else the three apart.
    std::optional<gpu::Tensor> wqkv;
    gpu::Tensor wq, wk, wv;  // only without wqkv
    // Gate then up rows as one [n_embd, 2 n_ff] matrix when both have one type and fit one
    // storage binding, else apart.
    std::optional<gpu::Tensor> ffn_gate_up;
    gpu::Tensor ffn_gate, ffn_up;               // only without ffn_gate_up
    std::optional<gpu::Tensor> bqkv;            // qkv_bias: [q_dim + 2 kv_dim], concatenated
    std::optional<gpu::Tensor> q_norm, k_norm;  // qk_norm: [head_dim]
    std::optional<gpu::Tensor> post_attn_norm, post_ffn_norm;  // post_norms: [n_embd]
};

struct DecoderWeights {
    gpu::Tensor token_embd;  // [n_embd, n_vocab]
    gpu::Tensor output_norm;
    gpu::Tensor output;  // token_embd itself when the file ties them
    std::optional<gpu::Tensor> rope_freqs;
    std::vector<LayerWeights> layers;

    std::vector<gpu::Buffer> buffers;  // owns the memory the tensors view
    std::uint64_t bytes = 0;
};

// Checks every tensor's presence, shape and type before uploading anything, so a bad file
// fails fast with the tensor named; `n_vocab` of hparams is filled from token_embd.
// `progress` (may be empty) sees (bytes uploaded, bytes in all) after each tensor.
// `alongside` (may be empty) runs on another thread while the contents upload, once every
// tensor of `weights` has its buffer: work that needs the weights' places but not their values
// (compiling the pipelines that will read them). Its exceptions reach the caller.
using UploadProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;
void load_weights(gpu::Context& context, const gguf::File& file, DecoderHParams& hparams,
                  const ArchitectureTraits& traits, DecoderWeights& weights,
                  const UploadProgress& progress = {}, const std::function<void()>& alongside = {});

}  // namespace prism::models
