#pragma once

// The Whisper decoder's tensors on the device (dec.* in the GGUF). Matrices keep the type the
// file stores them in; norms, biases and positions are widened to f32 on upload.

#include <cstdint>
#include <string>
#include <vector>

#include "models/weight_loader.hpp"
#include "models/whisper_hparams.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::models {

// One linear layer; `bias` is empty (no memory) for Whisper's bias-free key projections.
struct WhisperLinear {
    gpu::Tensor weight;  // [in, out]
    gpu::Tensor bias;    // [out] f32, or no memory
    bool has_bias() const { return bias.memory.size > 0; }
};

struct WhisperNorm {
    gpu::Tensor weight, bias;  // [n_state] f32
};

struct WhisperDecoderLayerWeights {
    WhisperNorm attn_ln, cross_ln, ffn_ln;
    WhisperLinear attn_q, attn_k, attn_v, attn_out;
    WhisperLinear cross_q, cross_k, cross_v, cross_out;
    WhisperLinear ffn_up, ffn_down;
};

struct WhisperDecoderWeights {
    gpu::Tensor token_embd;  // [n_state, n_vocab], also the output projection (tied)
    gpu::Tensor position;    // [n_state, n_text_ctx] f32
    std::vector<WhisperDecoderLayerWeights> layers;
    WhisperNorm post_ln;
    std::vector<gpu::Buffer> buffers;  // owns the memory the tensors view
    std::uint64_t bytes = 0;
};

// Checks every decoder tensor (presence, shape, computable type) before uploading any, so a
// bad or truncated file fails naming the tensor.
WhisperDecoderWeights load_whisper_decoder_weights(gpu::Context& context, const gguf::File& file,
                                                   const WhisperHParams& h);

// The linear layers and norms of a Whisper GGUF, queued on the shared WeightLoader; used by
// the decoder's and the encoder's loaders.
class WhisperTensorLoader {
  public:
    explicit WhisperTensorLoader(const gguf::File& file) : loader_(file, "Whisper model") {}
    // A matrix kept in its file type, [in, out].
    void matrix(gpu::Tensor& target, const std::string& name, std::int64_t in, std::int64_t out);
    // Any tensor widened to f32, with the given shape.
    void f32(gpu::Tensor& target, const std::string& name, WeightShape shape);
    // A convolution kernel, kept when F16/F32, else widened to f32.
    void conv(gpu::Tensor& target, const std::string& name, WeightShape shape);
    void linear(WhisperLinear& target, const std::string& name, std::int64_t in, std::int64_t out,
                bool bias = true);
    void norm(WhisperNorm& target, const std::string& name, std::int64_t n);
    std::vector<gpu::Buffer> upload(gpu::Context& context, std::uint64_t& bytes) {
        return loader_.upload_all(context, bytes);
    }

  private:
    WeightLoader loader_;
};

}  // namespace prism::models
