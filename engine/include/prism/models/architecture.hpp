#pragma once

// What distinguishes one decoder family from another, as data: the forward pass reads these
// flags instead of branching on architecture names, so adding qwen2/qwen3/gemma3 is a table
// entry plus the (few) steps their flags switch on.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prism/ops/rope.hpp"
#include "prism/ops/unary.hpp"

namespace prism::gguf {
class File;
}

namespace prism::models {

struct ArchitectureTraits {
    std::string_view name;                  // general.architecture, also the metadata key prefix
    ops::RopeMode rope_mode;                // llama: normal (the converter permuted Q/K rows);
                                            // multi: M-RoPE, four position planes per row
    ops::Activation ffn_activation;         // silu for swiglu, gelu for gemma's geglu
    bool rope_dims_equal_head_dim = false;  // llama.cpp rejects llama files where they differ
    bool qkv_bias = false;                  // qwen2: attn_{q,k,v}.bias added after the projections
    bool qk_norm = false;           // qwen3, gemma3: per-head RMSNorm on Q and K before RoPE
    bool post_norms = false;        // gemma3: post_attention_norm, post_ffw_norm on block outputs
    bool scale_embeddings = false;  // gemma3: token embeddings x sqrt(n_embd)
    bool sliding_window = false;    // gemma3: reads attention.sliding_window and its pattern
};

// The traits of a supported architecture, or nullptr.
const ArchitectureTraits* find_architecture(std::string_view name);
// "llama" (comma-separated list of what find_architecture accepts), for messages.
std::string supported_architectures();

// Hyperparameters of a decoder as read from GGUF metadata (`{arch}.*` keys).
struct DecoderHParams {
    std::string architecture;
    std::int64_t n_layer = 0;
    std::int64_t n_embd = 0;
    std::int64_t n_ff = 0;
    std::int64_t n_head = 0;
    std::int64_t n_head_kv = 0;
    std::int64_t head_dim = 0;  // key_length, default n_embd / n_head
    std::int64_t n_rot = 0;     // rope.dimension_count, default head_dim
    std::int64_t n_ctx_train = 0;
    std::int64_t n_vocab = 0;  // rows of token_embd
    float rms_eps = 1e-5f;
    float rope_freq_base = 10000.0f;
    float rope_freq_scale = 1.0f;  // 1 / rope.scaling.factor for linear scaling
    // Sliding-window attention (gemma3): a query at p sees keys p - n_swa < j <= p on the
    // layers flagged in swa_layers, which rotate with rope_freq_base_swa and no scaling.
    std::int64_t n_swa = 0;        // attention.sliding_window; 0: every layer is global
    std::vector<bool> swa_layers;  // [n_layer]; all false without a window
    float rope_freq_base_swa = 10000.0f;
    float final_logit_softcap = 0.0f;  // > 0: logits become cap * tanh(logits / cap)
    // M-RoPE (qwen2vl): rotated pairs per position plane t, h, w, e (rope.dimension_sections);
    // all zero for the other architectures.
    std::array<std::int32_t, 4> rope_sections{};
};

// Reads and validates the hyperparameters; throws FormatError naming the file and the key
// (missing, wrong type, inconsistent), or naming an unsupported architecture.
DecoderHParams read_hparams(const gguf::File& file);

}  // namespace prism::models
