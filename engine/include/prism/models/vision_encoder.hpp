#pragma once
// The vision tower and projector of a multimodal model, read from llama.cpp's mmproj GGUF
// (general.architecture "clip") and run on the GPU: pixels in, one embedding row per image
// token out, in the width of the text model.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/projector_traits.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {

struct VisionHParams {
    ProjectorType projector = ProjectorType::mlp;  // its row: projector_traits(projector)
    std::int64_t n_embd = 0;                       // clip.vision.embedding_length
    std::int64_t n_ff = 0;  // clip.vision.feed_forward_length (informational: shapes rule)
    std::int64_t n_layer = 0;
    std::int64_t n_head = 0;
    std::int64_t head_dim = 0;
    float eps = 1e-6f;
    std::int32_t image_size = 0;
    std::int32_t patch_size = 0;
    std::int64_t projection_dim = 0;  // as written; output_dim is what the tensors say
    // idefics3: pixel-shuffle factor; gemma3: average-pool kernel and stride.
    std::int32_t scale_factor = 0;
    std::int32_t spatial_merge = 2;            // qwen: 2x2 patches per output token
    std::int32_t n_wa_pattern = 0;             // qwen2.5vl: every n-th layer attends fully
    std::int32_t window_size = 0;              // qwen2.5vl: window side in pixels (112)
    std::vector<std::int32_t> feature_layers;  // mlp: hidden-state indices to tap
    ops::Activation activation = ops::Activation::gelu_quick;  // FFN activation
    bool rms_norm = false;  // qwen2.5vl uses RMS norms, the others LayerNorm with bias
    std::int64_t output_dim = 0;
    media::VisionPreprocess preprocess{};
};

struct ImageEmbeddings {
    gpu::Buffer buffer;                         // owns the rows
    gpu::Tensor tensor;                         // f32, ne = [output_dim, n_tokens]
    std::int32_t grid_cols = 0, grid_rows = 0;  // merged token grid (Qwen M-RoPE); else 0
};

class VisionEncoder {
  public:
    // Throws FormatError naming the mmproj file and the problem (not an mmproj, no vision
    // encoder, unsupported projector, missing tensor, wrong shape).
    VisionEncoder(gpu::Context& context, const gguf::File& mmproj);
    ~VisionEncoder();
    VisionEncoder(VisionEncoder&&) noexcept;
    VisionEncoder& operator=(VisionEncoder&&) noexcept;

    const VisionHParams& hparams() const;
    // Throws Error when the image's size does not suit the encoder.
    std::int64_t tokens_for(const media::PlanarImage& image) const;
    // The same for an image of that size as preprocessing makes it (plan_preprocess), before
    // any pixel exists: token budgets are planned with it.
    std::int64_t tokens_for_size(std::int32_t width, std::int32_t height) const;
    // One tile / image, recorded into one command buffer; the result stays on the GPU.
    ImageEmbeddings encode(const media::PlanarImage& image);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

// Reads and checks the clip.* metadata of an mmproj (no tensors are uploaded).
VisionHParams read_vision_hparams(const gguf::File& mmproj);

// Everything the VisionEncoder constructor checks, without a device: the metadata, the blocks
// it runs, every tensor's presence, shape and type, and each tensor's conversion to the form
// it is uploaded in. Throws FormatError as the constructor does; returns the hparams.
VisionHParams check_vision_encoder(const gguf::File& mmproj);

// Throws Error naming both files and the mismatch (width, projector type vs text architecture).
void check_mmproj_pair(const VisionHParams& vision, std::int64_t text_n_embd,
                       std::string_view text_architecture, std::string_view mmproj_name,
                       std::string_view text_name);

}  // namespace prism::models
