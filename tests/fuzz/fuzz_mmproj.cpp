// libFuzzer entry: arbitrary bytes opened as an mmproj and taken, in the session's order,
// through everything the engine does with one before it needs a device: the memory estimate
// from the clip.* metadata (check_fits), the pairing check with a text model (VisionPrompt),
// the vision encoder's checks (metadata, the tensor table, each tensor's host-side conversion)
// and the preprocessing plan for a few image sizes; for a file with an audio encoder, the same
// for the audio half (metadata, pairing, tensors). A prism::Error (FormatError for a bad
// file, Error for unusable preprocessing values) is the expected outcome for most inputs;
// anything else escaping, a sanitizer report, a hang or unbounded memory is a bug.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/vision_encoder.hpp"
#include "session/memory_check.hpp"

namespace {

using namespace prism;

volatile std::uint64_t g_sink;

// An ordinary photo, a one-pixel image and a long strip, as a user might attach them.
constexpr media::ImageSize kImageSizes[] = {{640, 480}, {1, 1}, {37, 4000}};

void plan_images(const models::VisionHParams& h) {
    for (const media::ImageSize size : kImageSizes) {
        try {
            const media::PreprocessPlan plan =
                media::plan_preprocess(size.width, size.height, h.preprocess);
            if (plan.images.empty()) __builtin_trap();
            for (const media::ImageSize out : plan.images) {
                if (out.width <= 0 || out.height <= 0) __builtin_trap();
            }
            g_sink = g_sink + plan.images.size();
        } catch (const Error&) {
        }
    }
}

std::string_view fitting_text_architecture(models::ProjectorType projector) {
    switch (projector) {
        case models::ProjectorType::qwen25vl:
        case models::ProjectorType::qwen2vl:
            return "qwen2vl";
        case models::ProjectorType::gemma3:
            return "gemma3";
        case models::ProjectorType::idefics3:
        case models::ProjectorType::mlp:
        case models::ProjectorType::ultravox:
        case models::ProjectorType::qwen2a:
        case models::ProjectorType::voxtral:
        case models::ProjectorType::qwen25o:
            break;
    }
    return "llama";
}

// The audio half, as the session takes it: the metadata, the pairing with a text model of the
// projector's width (accepted: throwing is a bug) and every tensor's checks and conversion.
void check_audio_half(const gguf::File& file) {
    if (!models::has_audio_encoder(file)) return;
    try {
        const models::AudioHParams h = models::check_audio_encoder(file);
        try {
            models::check_audio_pair(h, h.output_dim, file.name(), "text.gguf");
        } catch (const Error&) {
            __builtin_trap();
        }
    } catch (const Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const gguf::File file = gguf::File::from_bytes(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size),
            "fuzz-mmproj.gguf");
        check_audio_half(file);
        const models::VisionHParams h = models::read_vision_hparams(file);
        g_sink = g_sink + session::vision_activation_bytes(h);
        // A text model of the right width and architecture is accepted: throwing is a bug.
        try {
            models::check_mmproj_pair(h, h.output_dim, fitting_text_architecture(h.projector),
                                      file.name(), "text.gguf");
        } catch (const Error&) {
            __builtin_trap();
        }
        models::check_vision_encoder(file);
        plan_images(h);
    } catch (const Error&) {
    }
    return 0;
}
