#pragma once

// Whisper's text decoder on the device: token embeddings + learned positions, then per block
// pre-LN self-attention over an f16 KV cache, pre-LN cross-attention over the audio (its keys
// and values computed once per 30-s window by set_audio), pre-LN GELU FFN; a final LayerNorm
// and logits against the token embeddings (tied). One command buffer per forward call.

#include <cstdint>
#include <span>
#include <vector>

#include "models/whisper_hparams.hpp"
#include "models/whisper_weights.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::models {

class WhisperDecoder {
  public:
    WhisperDecoder(gpu::Context& context, const gguf::File& file, const WhisperHParams& h);

    // Records the cross-attention keys and values of every block from the encoder's output,
    // f32 [n_state, n_audio_ctx] (contiguous), into `rec`. Resets the self-attention cache.
    void set_audio(gpu::Recorder& rec, const gpu::Tensor& encoded);

    // Runs `tokens` at positions n_past() .. and returns the last token's logits (n_vocab).
    // The tokens must fit in the text context (n_text_ctx); throws Error otherwise.
    const std::vector<float>& forward(std::span<const std::int32_t> tokens);

    // Forgets cached tokens from position `n` on (a new prompt that shares a prefix).
    void truncate(std::int64_t n);
    std::int64_t n_past() const { return n_past_; }
    const WhisperHParams& hparams() const { return h_; }
    std::uint64_t weight_bytes() const { return w_.bytes; }

  private:
    gpu::Context& ctx_;
    WhisperHParams h_;
    WhisperDecoderWeights w_;
    std::int64_t n_past_ = 0;
    // Per block: self K/V f16 [head_dim, n_head, n_text_ctx], cross K/V f16
    // [head_dim, n_head, n_audio_ctx].
    std::vector<gpu::Buffer> cache_buffers_;
    std::vector<gpu::Tensor> self_k_, self_v_, cross_k_, cross_v_;
    // Activations for up to n_text_ctx tokens (the cross K/V projections use x/xn... for
    // n_audio_ctx columns: cross_kv_).
    gpu::Buffer ids_, x_, xn_, q_, k_, v_, attn_, o_, up_, logits_, cross_kv_, scratch_;
    std::vector<float> logits_host_;
};

}  // namespace prism::models
