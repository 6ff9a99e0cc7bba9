// The projector table. Preprocessing follows llama.cpp's mtmd (tools/mtmd/clip.cpp hparams
// and mtmd.cpp preprocessor per projector), the layouts mtmd.cpp's init_vision.

#include "prism/models/projector_traits.hpp"

#include <array>

#include "prism/error.hpp"

namespace prism::models {
namespace {

using media::ResizeFilter;
using Prep = media::VisionPreprocess::Kind;

// Qwen's dynamic resolution: mtmd's set_limit_image_tokens(8, 4096), tokens after the merge.
constexpr media::VisionPreprocessRule kQwenPreprocess{.kind = Prep::dynamic_size,
                                                      .filter = ResizeFilter::bilinear,
                                                      .min_tokens = 8,
                                                      .max_tokens = 4096};

constexpr std::array kProjectors{
    // SmolVLM: tiles + global image, each 1/s^2 of its patches after the pixel shuffle.
    ProjectorTraits{.name = "idefics3",
                    .type = ProjectorType::idefics3,
                    .modality = Modality::vision,
                    .preprocess = {.kind = Prep::idefics3, .filter = ResizeFilter::bicubic},
                    .layout = ImageLayoutKind::idefics3,
                    .merge = TokenMerge::pixel_shuffle,
                    .default_scale_factor = 2,
                    .head = ProjectorHead::linear,
                    .positions = PatchPositions::learned},
    // Gemma 3: 896^2 letterbox, 4x4 pooling to 256 tokens that attend to each other.
    ProjectorTraits{.name = "gemma3",
                    .type = ProjectorType::gemma3,
                    .modality = Modality::vision,
                    .preprocess = {.kind = Prep::fixed_size, .filter = ResizeFilter::bilinear},
                    .layout = ImageLayoutKind::gemma3,
                    .merge = TokenMerge::avg_pool,
                    .default_scale_factor = 4,
                    .head = ProjectorHead::norm_projection,
                    .positions = PatchPositions::learned,
                    .text_architecture = "gemma3",
                    .min_prefill_chunk = 256},
    ProjectorTraits{.name = "qwen2.5vl_merger",
                    .type = ProjectorType::qwen25vl,
                    .alias = "qwen2.5o",
                    .modality = Modality::vision,
                    .preprocess = kQwenPreprocess,
                    .layout = ImageLayoutKind::qwen,
                    .merge = TokenMerge::merge_cells,
                    .default_scale_factor = 2,
                    .head = ProjectorHead::mlp,
                    .positions = PatchPositions::rope_2d,
                    .mrope_text = true,
                    .window_attention = true,
                    .rms_norm = true},
    ProjectorTraits{.name = "qwen2vl_merger",
                    .type = ProjectorType::qwen2vl,
                    .modality = Modality::vision,
                    .preprocess = kQwenPreprocess,
                    .layout = ImageLayoutKind::qwen,
                    .merge = TokenMerge::merge_cells,
                    .default_scale_factor = 2,
                    .head = ProjectorHead::mlp,
                    .positions = PatchPositions::rope_2d,
                    .mrope_text = true},
    // LLaVA-1.5: CLIP at 336^2 padded with the CLIP mean colour, the second-to-last layer's
    // patches (class token dropped) through a two-layer MLP.
    ProjectorTraits{.name = "mlp",
                    .type = ProjectorType::mlp,
                    .modality = Modality::vision,
                    .preprocess = {.kind = Prep::fixed_size,
                                   .filter = ResizeFilter::bicubic,
                                   .pad_color = {122, 116, 104}},
                    .layout = ImageLayoutKind::plain,
                    .merge = TokenMerge::none,
                    .default_scale_factor = 2,
                    .head = ProjectorHead::mlp,
                    .positions = PatchPositions::learned,
                    .feature_layer = true,
                    .class_token = true},
    // Audio rows: the Whisper encoder, then the projector. Token counts per 30-s window:
    // ultravox 1500 / 8 = 187 (the last partial stack dropped, as llama.cpp does);
    // qwen2a 750 for a full window, fewer for the sound alone; voxtral 1500 / 4 = 375, as
    // transformers computes it (llama.cpp pools first and gets 187, which the projector was
    // not trained with; docs/architecture.md).
    ProjectorTraits{.name = "ultravox",
                    .type = ProjectorType::ultravox,
                    .modality = Modality::audio,
                    .preprocess = {},
                    .layout = ImageLayoutKind::plain,
                    .merge = TokenMerge::none,
                    .default_scale_factor = 1,
                    .head = ProjectorHead::linear,
                    .positions = PatchPositions::learned,
                    .audio = {.head = AudioHead::stack_swiglu, .default_stack = 8}},
    ProjectorTraits{.name = "qwen2a",
                    .type = ProjectorType::qwen2a,
                    .modality = Modality::audio,
                    .preprocess = {},
                    .layout = ImageLayoutKind::plain,
                    .merge = TokenMerge::none,
                    .default_scale_factor = 1,
                    .head = ProjectorHead::linear,
                    .positions = PatchPositions::learned,
                    .audio = {.head = AudioHead::linear,
                              .frames = AudioFrames::sound_only,
                              .pool = 2,
                              .layout = AudioLayoutKind::qwen_audio}},
    ProjectorTraits{.name = "voxtral",
                    .type = ProjectorType::voxtral,
                    .modality = Modality::audio,
                    .preprocess = {},
                    .layout = ImageLayoutKind::plain,
                    .merge = TokenMerge::none,
                    .default_scale_factor = 1,
                    .head = ProjectorHead::linear,
                    .positions = PatchPositions::learned,
                    .audio = {.head = AudioHead::stack_gelu_mlp,
                              .default_stack = 4,
                              .layout = AudioLayoutKind::voxtral}},
    // Qwen2.5-Omni's audio tower: Qwen2-Audio's encoder and projector, run as transformers
    // runs it (2-s stretches that attend within themselves); llama.cpp runs it as qwen2a.
    ProjectorTraits{.name = "qwen2.5o",
                    .type = ProjectorType::qwen25o,
                    .modality = Modality::audio,
                    .preprocess = {},
                    .layout = ImageLayoutKind::plain,
                    .merge = TokenMerge::none,
                    .default_scale_factor = 1,
                    .head = ProjectorHead::linear,
                    .positions = PatchPositions::learned,
                    .audio = {.head = AudioHead::linear,
                              .frames = AudioFrames::sound_in_chunks,
                              .pool = 2,
                              .layout = AudioLayoutKind::qwen_audio,
                              .chunk_frames = 200}},
};

constexpr bool rows_in_type_order() {
    for (std::size_t i = 0; i < kProjectors.size(); ++i) {
        if (static_cast<std::size_t>(kProjectors[i].type) != i) return false;
    }
    return true;
}
static_assert(rows_in_type_order(), "projector rows must follow ProjectorType's order");

}  // namespace

std::span<const ProjectorTraits> projector_table() {
    return kProjectors;
}

const ProjectorTraits* find_projector(std::string_view name) {
    for (const auto& p : kProjectors) {
        if (p.name == name || (!p.alias.empty() && p.alias == name)) return &p;
    }
    return nullptr;
}

const ProjectorTraits* find_projector(std::string_view name, Modality modality) {
    for (const auto& p : kProjectors) {
        if (p.modality == modality && (p.name == name || (!p.alias.empty() && p.alias == name)))
            return &p;
    }
    return nullptr;
}

const ProjectorTraits& projector_traits(ProjectorType type) {
    const auto index = static_cast<std::size_t>(type);
    if (index >= kProjectors.size())
        throw Error("projector type " + std::to_string(index) + " has no row");
    return kProjectors[index];
}

std::string supported_projectors() {
    std::string list;
    for (const auto& p : kProjectors) list += (list.empty() ? "" : ", ") + std::string(p.name);
    return list;
}

std::string_view projector_type_name(ProjectorType type) {
    return projector_traits(type).name;
}

}  // namespace prism::models
