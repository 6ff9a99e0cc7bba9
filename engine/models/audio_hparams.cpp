// Reading an mmproj's clip.audio.* metadata into AudioHParams, and checking an audio mmproj
// against the text model it is paired with.

#include <string>

#include "models/hparams_check.hpp"
#include "prism/error.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/projector_traits.hpp"
#include "prism/printable.hpp"

namespace prism::models {
namespace {

[[noreturn]] void fail(const gguf::File& file, const std::string& problem) {
    throw FormatError(file.name() + ": " + problem);
}

// The per-modality key first: a file holding both towers (Qwen2.5-Omni) may name each. Such a
// file may call its audio tower "qwen2a", as llama.cpp reads it; only Qwen2.5-Omni holds a
// qwen2a tower beside a vision tower, and its encoder attends within 2-s stretches.
std::string projector_string(const gguf::File& file) {
    std::string name = file.get_or<std::string>("clip.audio.projector_type", "");
    if (name.empty()) name = file.get_or<std::string>("clip.projector_type", "");
    if (name == "qwen2a" && file.get_or<bool>("clip.has_vision_encoder", false)) {
        return std::string(projector_type_name(ProjectorType::qwen25o));
    }
    return name;
}

std::int64_t required(const gguf::File& file, const std::string& key) {
    if (file.find(key) == nullptr) fail(file, "mmproj key '" + key + "' is missing");
    return file.get_integer<std::int64_t>(key);
}

std::int64_t optional(const gguf::File& file, const std::string& key, std::int64_t fallback) {
    if (file.find(key) == nullptr) return fallback;
    return file.get_integer<std::int64_t>(key);
}

std::int64_t tensor_dim(const gguf::File& file, const std::string& name, int axis) {
    const gguf::TensorInfo* info = file.find_tensor(name);
    if (info == nullptr) fail(file, "tensor '" + name + "' is missing");
    return static_cast<std::int64_t>(info->ne[static_cast<std::size_t>(axis)]);
}

// The projector's output width, from its last matrix as clip.cpp reads it.
std::int64_t output_dim(const gguf::File& file, AudioHead head) {
    switch (head) {
        case AudioHead::linear:
            return tensor_dim(file, "mm.a.fc.weight", 1);
        case AudioHead::stack_swiglu:
        case AudioHead::stack_gelu_mlp:
            return tensor_dim(file, "mm.a.mlp.2.weight", 1);
        case AudioHead::none:
            break;
    }
    fail(file, "the audio projector has no head");
}

}  // namespace

bool has_audio_encoder(const gguf::File& mmproj) {
    return mmproj.get_or<std::string>("general.architecture", "") == "clip" &&
           mmproj.get_or<bool>("clip.has_audio_encoder", false);
}

AudioHParams read_audio_hparams(const gguf::File& file) {
    const std::string arch = file.get_or<std::string>("general.architecture", "");
    if (arch != "clip") {
        fail(file, "not an mmproj file: general.architecture is '" + printable(arch) +
                       "', expected 'clip'");
    }
    if (!file.get_or<bool>("clip.has_audio_encoder", false)) {
        fail(file, "this mmproj has no audio encoder (clip.has_audio_encoder is not true)");
    }
    const std::string name = projector_string(file);
    const ProjectorTraits* traits = find_projector(name, Modality::audio);
    if (traits == nullptr) {
        fail(file, "audio projector type '" + printable(name) +
                       "' is not supported (Prism runs ultravox, qwen2a, voxtral, qwen2.5o)");
    }
    AudioHParams h;
    h.projector = traits->type;
    const std::string p = "clip.audio.";
    h.n_mels = required(file, p + "num_mel_bins");
    h.n_embd = required(file, p + "embedding_length");
    h.n_ff = required(file, p + "feed_forward_length");
    h.n_layer = required(file, p + "block_count");
    h.n_head = required(file, p + "attention.head_count");
    if (file.find(p + "attention.layer_norm_epsilon") == nullptr) {
        fail(file, "mmproj key '" + p + "attention.layer_norm_epsilon' is missing");
    }
    h.eps = file.get<float>(p + "attention.layer_norm_epsilon");
    h.stack_factor = static_cast<std::int32_t>(
        optional(file, p + "projector.stack_factor", traits->audio.default_stack));
    h.projection_dim = optional(file, p + "projection_dim", 0);
    h.n_positions = tensor_dim(file, "a.position_embd.weight", 1);
    // The head's width checks need a positive head count before they divide by it.
    check_audio_hparams(file, h);
    h.output_dim = output_dim(file, traits->audio.head);
    return h;
}

void check_audio_pair(const AudioHParams& audio, std::int64_t text_n_embd,
                      std::string_view mmproj_name, std::string_view text_name) {
    if (audio.output_dim != text_n_embd) {
        throw Error("mmproj " + std::string(mmproj_name) + " and text model " +
                    std::string(text_name) +
                    " do not fit: the audio projector emits rows of width " +
                    std::to_string(audio.output_dim) + " but the text model's embedding width is " +
                    std::to_string(text_n_embd));
    }
}

}  // namespace prism::models
