#include "models/hparams_check.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/projector_traits.hpp"
#include "prism/printable.hpp"

namespace prism::models {
namespace {

// Widths and counts become 32-bit shader constants and products of them byte sizes; no real
// model comes near this. (A hostile block_count needs no bound: the first missing layer's
// tensors refuse the file before anything is allocated per layer.)
constexpr std::int64_t kMaxSize = std::int64_t{1} << 24;

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", v);
    return text;
}

void require_size(const gguf::File& file, std::string_view key, std::int64_t value) {
    require_positive(file, key, value);
    if (value > kMaxSize)
        fail_key(file, key, std::to_string(value), "more than " + std::to_string(kMaxSize));
}

void require_positive_finite(const gguf::File& file, std::string_view key, double value) {
    if (!std::isfinite(value) || value <= 0.0)
        fail_key(file, key, number(value), "must be a finite number > 0");
}

}  // namespace

void require_divides(const gguf::File& file, std::string_view key, std::int64_t divisor,
                     std::string_view of_name, std::int64_t of) {
    if (of % divisor != 0) {
        fail_key(file, key, std::to_string(divisor),
                 "does not divide " + std::string(of_name) + " " + std::to_string(of));
    }
}

void require_finite_non_negative(const gguf::File& file, std::string_view key, double value) {
    if (!std::isfinite(value) || value < 0.0)
        fail_key(file, key, number(value), "must be a finite number >= 0");
}

void fail_key(const gguf::File& file, std::string_view key, const std::string& value,
              std::string_view why) {
    throw FormatError(file.name() + ": key " + printable(key) + " = " + value + ": " +
                      std::string(why));
}

void require_positive(const gguf::File& file, std::string_view key, std::int64_t value) {
    if (value <= 0) fail_key(file, key, std::to_string(value), "must be at least 1");
}

void check_decoder_hparams(const gguf::File& file, const DecoderHParams& h) {
    const auto key = [&](std::string_view suffix) {
        return h.architecture + "." + std::string(suffix);
    };
    require_positive(file, key("block_count"), h.n_layer);
    require_size(file, key("embedding_length"), h.n_embd);
    require_size(file, key("feed_forward_length"), h.n_ff);
    require_size(file, key("attention.head_count"), h.n_head);
    require_size(file, key("attention.head_count_kv"), h.n_head_kv);
    require_divides(file, key("attention.head_count_kv"), h.n_head_kv, "head_count", h.n_head);
    require_size(file, key("attention.key_length"), h.head_dim);
    require_positive(file, key("context_length"), h.n_ctx_train);
    if (h.n_ctx_train > std::numeric_limits<std::int32_t>::max()) {
        fail_key(file, key("context_length"), std::to_string(h.n_ctx_train),
                 "more than 2^31 - 1 positions");
    }
    require_positive_finite(file, key("attention.layer_norm_rms_epsilon"), h.rms_eps);
    require_positive_finite(file, key("rope.freq_base"), h.rope_freq_base);
    require_positive_finite(file, key("rope.freq_base_swa"), h.rope_freq_base_swa);
    require_finite_non_negative(file, key("final_logit_softcapping"), h.final_logit_softcap);
    if (h.n_swa < 0)
        fail_key(file, key("attention.sliding_window"), std::to_string(h.n_swa), "must be >= 0");
}

void check_vision_hparams(const gguf::File& file, const VisionHParams& h) {
    const auto key = [](std::string_view suffix) { return "clip.vision." + std::string(suffix); };
    require_size(file, key("embedding_length"), h.n_embd);
    require_size(file, key("feed_forward_length"), h.n_ff);
    require_positive(file, key("block_count"), h.n_layer);
    require_size(file, key("attention.head_count"), h.n_head);
    require_size(file, key("attention.head_dim"), h.head_dim);
    require_positive_finite(file, key("attention.layer_norm_epsilon"), h.eps);
    require_size(file, key("image_size"), h.image_size);
    require_size(file, key("patch_size"), h.patch_size);
    if (h.patch_size > h.image_size) {
        fail_key(file, key("patch_size"), std::to_string(h.patch_size),
                 "larger than image_size " + std::to_string(h.image_size));
    }
    require_size(file, key("projector.scale_factor"), h.scale_factor);
    require_size(file, key("spatial_merge_size"), h.spatial_merge);
    if (projector_traits(h.projector).window_attention) {
        require_size(file, key("n_wa_pattern"), h.n_wa_pattern);
        require_size(file, key("window_size"), h.window_size);
    }
    for (int c = 0; c < 3; ++c) {
        const std::string at = "[" + std::to_string(c) + "]";
        if (!std::isfinite(h.preprocess.mean[c]))
            fail_key(file, key("image_mean") + at, number(h.preprocess.mean[c]), "must be finite");
        require_positive_finite(file, key("image_std") + at, h.preprocess.std[c]);
    }
    if (h.preprocess.kind == media::VisionPreprocess::Kind::dynamic_size &&
        h.preprocess.min_pixels > h.preprocess.max_pixels) {
        fail_key(file, key("image_min_pixels"), std::to_string(h.preprocess.min_pixels),
                 "more than image_max_pixels " + std::to_string(h.preprocess.max_pixels));
    }
}

void check_audio_hparams(const gguf::File& file, const AudioHParams& h) {
    const auto key = [](std::string_view suffix) { return "clip.audio." + std::string(suffix); };
    require_size(file, key("num_mel_bins"), h.n_mels);
    if (h.n_mels > 256) {
        fail_key(file, key("num_mel_bins"), std::to_string(h.n_mels), "more than 256");
    }
    require_size(file, key("embedding_length"), h.n_embd);
    require_size(file, key("feed_forward_length"), h.n_ff);
    require_positive(file, key("block_count"), h.n_layer);
    require_size(file, key("attention.head_count"), h.n_head);
    require_divides(file, key("attention.head_count"), h.n_head, "embedding_length", h.n_embd);
    const std::int64_t head_dim = h.n_embd / h.n_head;
    if (head_dim % 8 != 0 || head_dim > 256) {
        fail_key(file, key("attention.head_count"), std::to_string(h.n_head),
                 "gives heads of " + std::to_string(head_dim) + ", not a multiple of 8 up to 256");
    }
    require_positive_finite(file, key("attention.layer_norm_epsilon"), h.eps);
    require_size(file, key("projector.stack_factor"), h.stack_factor);
    require_size(file, "a.position_embd.weight rows", h.n_positions);
}

}  // namespace prism::models
