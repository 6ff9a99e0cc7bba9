#include "session/memory_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "prism/models/decoder.hpp"
#include "prism/ops/attention.hpp"

namespace prism::session {
namespace {

std::string mib(std::uint64_t bytes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

std::uint64_t tensor_bytes(const gguf::File& file) {
    std::uint64_t bytes = 0;
    for (const auto& t : file.tensors()) bytes += t.n_bytes;
    return bytes;
}

}  // namespace

std::uint64_t vision_activation_bytes(const models::VisionHParams& h) {
    using Kind = media::VisionPreprocess::Kind;
    const models::ProjectorTraits& traits = models::projector_traits(h.projector);
    // In double, since the mmproj's values are not checked yet and their products can exceed
    // 64 bits; `whole` is integer division. Exact for any real model's values.
    const auto whole = [](double a, double b) { return std::trunc(a / b); };
    const auto& pre = h.preprocess;
    const double patch = std::max<std::int32_t>(h.patch_size, 1);
    const double image_size = h.image_size;
    // The largest encoder input: a dynamic size's max_pixels, else the fixed tile / image side.
    double patches = 0;
    if (traits.preprocess.kind == Kind::dynamic_size) {
        const double pixels =
            pre.max_pixels > 0 ? static_cast<double>(pre.max_pixels) : image_size * image_size;
        patches = whole(pixels, patch * patch);
    } else {
        const double side = whole(image_size, patch);
        patches = side * side + (traits.class_token ? 1 : 0);
    }
    // Per patch, in floats: x, xn, o, q, k, v, attn and their padded copies (8 widths), f16
    // keys and values (1 width), the FFN's up and gate in full (2 n_ff), the projector's
    // middle (at most 4 widths, Qwen's merger) and output, and the patch's pixels.
    const double n_embd = static_cast<double>(h.n_embd),
                 output_dim = static_cast<double>(h.output_dim);
    const double per_patch =
        9 * n_embd + 2 * static_cast<double>(h.n_ff) + 4 * n_embd + output_dim + 3 * patch * patch;
    // The embedding rows of one whole image: SmolVLM's tiles + global image.
    double rows_per_input = patches;
    if (traits.merge == models::TokenMerge::pixel_shuffle ||
        traits.merge == models::TokenMerge::avg_pool) {
        const double s = std::max<std::int32_t>(h.scale_factor, 1);
        rows_per_input = whole(patches, s * s);
    } else if (traits.merge == models::TokenMerge::merge_cells) {
        const double merge = std::max<std::int32_t>(h.spatial_merge, 1);
        rows_per_input = whole(patches, merge * merge);
    }
    double inputs = 1;
    if (traits.preprocess.kind == Kind::idefics3 && h.image_size > 0) {
        const double longest = std::max<double>(pre.longest_edge, image_size);
        const double side = whole(longest + image_size - 1, image_size);
        inputs = side * side + 1;
    }
    const double bytes = 4 * (per_patch * patches + inputs * rows_per_input * output_dim);
    // Beyond any device, and small enough that check_fits's sum cannot wrap.
    constexpr double kCap = 0x1p62;
    return static_cast<std::uint64_t>(std::clamp(bytes, 0.0, kCap));
}

std::uint64_t audio_activation_bytes(const models::AudioHParams& h) {
    const double frames = 1500, mel_frames = 3000;
    const double D = static_cast<double>(h.n_embd), ff = static_cast<double>(h.n_ff);
    const double stack = std::max<std::int32_t>(h.stack_factor, 1);
    // Per encoder frame: x, xn, o, q, k, v, attn, pooled and the f16 keys and values (9 widths),
    // the FFN's up (n_ff), the projector's stacked input, middle and output (at most 4 stacked
    // widths); per mel frame the convolution's output and the mel bins.
    const double per_frame = 9 * D + ff + 4 * stack * D + static_cast<double>(h.output_dim);
    const double bytes =
        4 * (per_frame * frames + (D + static_cast<double>(h.n_mels)) * mel_frames);
    constexpr double kCap = 0x1p62;
    return static_cast<std::uint64_t>(std::clamp(bytes, 0.0, kCap));
}

void check_fits(const gguf::File& file, const models::DecoderHParams& h,
                const SessionOptions& options, const gpu::DeviceInfo& device,
                const gguf::File* mmproj, std::uint64_t in_use) {
    const std::uint64_t weights = tensor_bytes(file);
    // As the decoder sizes its cache: f16 K and V per layer, heads padded for attention. A
    // context the decoder rejects is left for it to report.
    const std::int64_t n_ctx =
        options.n_ctx > 0 ? options.n_ctx : std::min<std::int64_t>(h.n_ctx_train, 4096);
    if (n_ctx <= 0 || n_ctx > INT32_MAX) return;
    const auto head = static_cast<std::uint64_t>(ops::attention_head_dim(h.head_dim));
    // Sliding-window layers hold their window and a prefill chunk (an image may make the chunk
    // larger later: a few rows more).
    models::DecoderOptions cache_options;
    cache_options.n_ctx = n_ctx;
    cache_options.prefill_chunk = options.prefill_chunk;
    std::uint64_t kv = 0;
    for (std::int64_t il = 0; il < h.n_layer; ++il) {
        const auto rows = static_cast<std::uint64_t>(
            models::kv_cache_rows(h, static_cast<std::size_t>(il), cache_options));
        kv += 2 * head * static_cast<std::uint64_t>(h.n_head_kv) * rows * 2;
    }
    std::uint64_t vision_weights = 0, vision_activations = 0;
    if (mmproj != nullptr) {
        vision_weights = tensor_bytes(*mmproj);
        const bool hears = models::has_audio_encoder(*mmproj);
        // The vision side's reading also reports an mmproj with neither encoder.
        if (!hears || mmproj->get_or<bool>("clip.has_vision_encoder", false))
            vision_activations = vision_activation_bytes(models::read_vision_hparams(*mmproj));
        if (hears)
            vision_activations += audio_activation_bytes(models::read_audio_hparams(*mmproj));
    }
    std::uint64_t available = options.memory_budget_bytes;
    if (available == 0) {
        for (const auto& heap : device.heaps) {
            if (heap.device_local) available = std::max(available, heap.bytes);
        }
        if (available == 0) {
            for (const auto& heap : device.heaps) available = std::max(available, heap.bytes);
        }
        available -= std::min(available, in_use);
    }
    const std::uint64_t needed = weights + kv + vision_weights + vision_activations;
    if (needed > available) {
        std::string parts = mib(weights) + " weights + " + mib(kv) + " KV cache for " +
                            std::to_string(n_ctx) + " tokens";
        if (mmproj != nullptr) {
            parts += " + " + mib(vision_weights) + " encoders (" + mmproj->name() + ") + " +
                     mib(vision_activations) + " for encoding its largest image or sound";
        }
        const std::string others =
            options.memory_budget_bytes == 0 && in_use > 0
                ? " free (" + mib(in_use) + " are used by other models loaded on it)"
                : "";
        throw Error(file.name() + " needs " + mib(needed) + " of device memory (" + parts +
                    ") but " + device.name + " has " + mib(available) + others);
    }
}

}  // namespace prism::session
