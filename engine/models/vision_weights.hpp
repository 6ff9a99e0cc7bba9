#pragma once

// The tensors of an mmproj's vision tower and projector on the device. Matrices keep the type
// the file stores them in; everything added or multiplied elementwise (biases, norms, position
// and class embeddings) is widened to f32 on upload, since converters store some of them as f16.

#include <optional>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/models/vision_encoder.hpp"

namespace prism::models {

struct VisionLayerWeights {
    gpu::Tensor ln1_w, ln2_w;
    std::optional<gpu::Tensor> ln1_b, ln2_b;
    gpu::Tensor q_w, k_w, v_w, o_w;
    std::optional<gpu::Tensor> q_b, k_b, v_b, o_b;
    gpu::Tensor up_w, down_w;
    std::optional<gpu::Tensor> gate_w;
    std::optional<gpu::Tensor> up_b, gate_b, down_b;
    std::int64_t n_ff = 0;  // from the tensors: converters write odd values in the key
};

struct VisionWeights {
    gpu::Tensor patch_w;                  // [P, P, 3, D], F32 or F16
    std::optional<gpu::Tensor> patch_w1;  // qwen: second temporal slice of the Conv3d
    std::optional<gpu::Tensor> patch_b;
    std::optional<gpu::Tensor> position;  // [D, n_pos] f32
    std::optional<gpu::Tensor> class_embd;
    std::optional<gpu::Tensor> pre_ln_w, pre_ln_b, post_ln_w, post_ln_b;
    std::vector<VisionLayerWeights> layers;  // only the blocks the encoder runs
    // Projectors: mm.0 / mm.2 (mlp, qwen merger), mm.model.fc (idefics3),
    // mm.soft_emb_norm + mm.input_projection transposed to [D, out] (gemma3).
    std::optional<gpu::Tensor> mm0_w, mm0_b, mm2_w, mm2_b, fc_w, soft_norm_w, input_proj_w;

    std::vector<gpu::Buffer> buffers;
    std::uint64_t bytes = 0;
};

// Checks every tensor the encoder needs (presence, shape, type) before uploading any;
// `n_run_layers` blocks are loaded.
VisionWeights load_vision_weights(gpu::Context& context, const gguf::File& file,
                                  const VisionHParams& h, std::int64_t n_run_layers);

// The same checks and host-side conversions without a device; returns the bytes that
// load_vision_weights would upload.
std::uint64_t check_vision_weights(const gguf::File& file, const VisionHParams& h,
                                   std::int64_t n_run_layers);

}  // namespace prism::models
