// Reading an mmproj's clip.* metadata into VisionHParams, and checking an mmproj against the
// text model it is paired with.

#include <array>
#include <string>

#include "models/hparams_check.hpp"
#include "prism/error.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/projector_traits.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/printable.hpp"

namespace prism::models {
namespace {

[[noreturn]] void fail(const gguf::File& file, const std::string& problem) {
    throw FormatError(file.name() + ": " + problem);
}

std::string projector_string(const gguf::File& file) {
    std::string name = file.get_or<std::string>("clip.projector_type", "");
    if (name.empty()) name = file.get_or<std::string>("clip.vision.projector_type", "");
    // Files from before the key existed mark LLaVA's MLP with a flag instead.
    if (name.empty() && file.get_or<bool>("clip.has_llava_projector", false)) name = "mlp";
    return name;
}

std::int64_t required(const gguf::File& file, const std::string& key) {
    if (file.find(key) == nullptr) fail(file, "mmproj key '" + key + "' is missing");
    const auto v = file.get_integer<std::int64_t>(key);
    if (v <= 0) fail(file, "mmproj key '" + key + "' is " + std::to_string(v) + ", must be > 0");
    return v;
}

std::int64_t optional(const gguf::File& file, const std::string& key, std::int64_t fallback) {
    if (file.find(key) == nullptr) return fallback;
    const auto v = file.get_integer<std::int64_t>(key);
    if (v <= 0) fail(file, "mmproj key '" + key + "' is " + std::to_string(v) + ", must be > 0");
    return v;
}

std::array<float, 3> rgb_triple(const gguf::File& file, const std::string& key) {
    if (file.find(key) == nullptr) fail(file, "mmproj key '" + key + "' is missing");
    const auto values = file.get_array<float>(key);
    if (values.size() < 3) {
        fail(file, "mmproj key '" + key + "' holds " + std::to_string(values.size()) +
                       " values, expected 3 (R, G, B)");
    }
    return {values[0], values[1], values[2]};
}

// The projector's output width, from its last matrix as clip.cpp reads it.
std::int64_t output_dim(const gguf::File& file, ProjectorHead head) {
    const auto dim = [&](std::string_view tensor, int axis) -> std::int64_t {
        const gguf::TensorInfo* info = file.find_tensor(tensor);
        if (info == nullptr) fail(file, "tensor '" + std::string(tensor) + "' is missing");
        return static_cast<std::int64_t>(info->ne[static_cast<std::size_t>(axis)]);
    };
    switch (head) {
        case ProjectorHead::linear:
            return dim("mm.model.fc.weight", 1);
        case ProjectorHead::norm_projection:
            return dim("mm.input_projection.weight", 0);
        case ProjectorHead::mlp:
            return dim("mm.2.weight", 1);
    }
    return 0;
}

}  // namespace

VisionHParams read_vision_hparams(const gguf::File& file) {
    const std::string arch = file.get_or<std::string>("general.architecture", "");
    if (arch != "clip") {
        fail(file, "not an mmproj file: general.architecture is '" + printable(arch) +
                       "', expected 'clip' (an mmproj holds a vision encoder; is this the "
                       "text model?)");
    }
    if (!file.get_or<bool>("clip.has_vision_encoder", false)) {
        fail(file, "this mmproj has no vision encoder (clip.has_vision_encoder is not true)");
    }
    const std::string name = projector_string(file);
    const ProjectorTraits* traits = find_projector(name);
    if (traits == nullptr) {
        fail(file, "projector type '" + printable(name) + "' is not supported (Prism runs " +
                       supported_projectors() + ")");
    }
    if (traits->modality != Modality::vision) {
        fail(file, "projector type '" + printable(name) + "' is not a vision projector");
    }

    VisionHParams h;
    h.projector = traits->type;
    const std::string p = "clip.vision.";
    h.n_embd = required(file, p + "embedding_length");
    h.n_ff = required(file, p + "feed_forward_length");
    h.n_layer = required(file, p + "block_count");
    h.n_head = required(file, p + "attention.head_count");
    h.head_dim = optional(file, p + "attention.head_dim", h.n_embd / h.n_head);
    if (file.find(p + "attention.head_dim") == nullptr && h.n_embd % h.n_head != 0) {
        fail(file, "embedding_length " + std::to_string(h.n_embd) +
                       " is not a multiple of head_count " + std::to_string(h.n_head));
    }
    if (file.find(p + "attention.layer_norm_epsilon") == nullptr) {
        fail(file, "mmproj key '" + p + "attention.layer_norm_epsilon' is missing");
    }
    h.eps = file.get<float>(p + "attention.layer_norm_epsilon");
    h.image_size = static_cast<std::int32_t>(required(file, p + "image_size"));
    h.patch_size = static_cast<std::int32_t>(required(file, p + "patch_size"));
    h.projection_dim = optional(file, p + "projection_dim", 0);
    if (h.head_dim % 2 != 0 || h.head_dim > 256) {
        fail(file, "attention head size " + std::to_string(h.head_dim) +
                       " is not supported (even, at most 256)");
    }

    const bool gelu = file.get_or<bool>("clip.use_gelu", false);
    const bool silu = file.get_or<bool>("clip.use_silu", false);
    if (gelu && silu) fail(file, "clip.use_gelu and clip.use_silu are both true");
    h.activation =
        gelu ? ops::Activation::gelu : (silu ? ops::Activation::silu : ops::Activation::gelu_quick);

    h.scale_factor = static_cast<std::int32_t>(
        optional(file, p + "projector.scale_factor", traits->default_scale_factor));
    h.spatial_merge = static_cast<std::int32_t>(optional(file, p + "spatial_merge_size", 2));
    if (file.find(p + "feature_layer") != nullptr) {
        h.feature_layers = file.get_array<std::int32_t>(p + "feature_layer");
    }

    // The row gives mtmd's rule (kind, resize filter, pad colour, token bounds); the mmproj
    // supplies the sizes and may override the pixel bounds.
    const std::int32_t longest_edge =
        static_cast<std::int32_t>(optional(file, p + "preproc_image_size", h.image_size));
    h.preprocess = media::vision_preprocess_for(
        traits->preprocess, h.image_size, longest_edge, h.patch_size, h.spatial_merge,
        rgb_triple(file, p + "image_mean"), rgb_triple(file, p + "image_std"));
    if (h.preprocess.kind == media::VisionPreprocess::Kind::dynamic_size) {
        h.preprocess.min_pixels = optional(file, p + "image_min_pixels", h.preprocess.min_pixels);
        h.preprocess.max_pixels = optional(file, p + "image_max_pixels", h.preprocess.max_pixels);
    }
    // No tensor bounds these values: refused here, so that the error names the file.
    try {
        media::check_vision_preprocess(h.preprocess);
    } catch (const Error& e) {
        fail(file, e.what());
    }
    if (traits->window_attention) {
        h.n_wa_pattern = static_cast<std::int32_t>(required(file, p + "n_wa_pattern"));
        h.window_size = static_cast<std::int32_t>(optional(file, p + "window_size", 112));
    }
    h.rms_norm = traits->rms_norm;
    h.output_dim = output_dim(file, traits->head);
    check_vision_hparams(file, h);
    return h;
}

void check_mmproj_pair(const VisionHParams& vision, std::int64_t text_n_embd,
                       std::string_view text_architecture, std::string_view mmproj_name,
                       std::string_view text_name) {
    const std::string both =
        "mmproj " + std::string(mmproj_name) + " and text model " + std::string(text_name);
    if (vision.output_dim != text_n_embd) {
        throw Error(both + " do not fit: the projector emits rows of width " +
                    std::to_string(vision.output_dim) +
                    " but the text model's embedding width is " + std::to_string(text_n_embd));
    }
    const ProjectorTraits& traits = projector_traits(vision.projector);
    const ArchitectureTraits* text = find_architecture(text_architecture);
    const bool mrope_text = text != nullptr && text->rope_mode == ops::RopeMode::multi;
    // M-RoPE grid positions are made by such projectors only and needed by such text models;
    // Gemma 3's soft-token norm and scale are made for Gemma 3's decoder.
    const bool fits =
        traits.mrope_text == mrope_text &&
        (traits.text_architecture.empty() || traits.text_architecture == text_architecture);
    if (!fits) {
        throw Error(both + " do not fit: projector type '" +
                    std::string(projector_type_name(vision.projector)) +
                    "' does not go with text architecture '" + std::string(text_architecture) +
                    "'");
    }
}

}  // namespace prism::models
