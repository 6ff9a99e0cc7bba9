// libFuzzer entry: arbitrary bytes decoded as an image (FFmpeg, EXIF orientation), then planned
// and preprocessed for every projector type. The last four bytes also choose the
// preprocessing sizes (tile side, longest edge, patch, merge, token bounds), kept small so
// that one input takes milliseconds; decoders ignore bytes after the image, so seeds are
// plain image files. A MediaError naming the label is the expected outcome for bad bytes;
// anything else escaping, a sanitizer report, a plan that disagrees with the pixels, a hang or
// unbounded memory is a bug.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "prism/error.hpp"
#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/projector_traits.hpp"

namespace {

using namespace prism;
using namespace prism::media;

constexpr std::string_view kLabel = "fuzz-image";

struct Sizes {
    std::int32_t image_size = 0, longest_edge = 0, patch = 0, merge = 0;
    std::int64_t min_tokens = 0, max_tokens = 0;
};

Sizes sizes_from(std::span<const std::uint8_t> tail) {
    Sizes s;
    s.image_size = 1 + tail[0] % 48;
    s.longest_edge = tail[1] % 96;  // 0: SmolVLM's global image only
    s.patch = 1 + tail[2] % 8;
    s.merge = 1 + (tail[2] >> 3) % 2;
    s.min_tokens = 1 + tail[3] % 8;
    s.max_tokens = s.min_tokens + (tail[3] >> 3);
    return s;
}

VisionPreprocess config_for(const models::ProjectorTraits& projector, const Sizes& s) {
    VisionPreprocess config =
        vision_preprocess_for(projector.preprocess, s.image_size, s.longest_edge, s.patch, s.merge,
                              {0.5f, 0.4f, 0.3f}, {0.25f, 0.5f, 1.0f});
    if (config.kind == VisionPreprocess::Kind::dynamic_size) {
        // The bounds an mmproj may set (clip.vision.image_min_pixels / image_max_pixels).
        const std::int64_t cell = static_cast<std::int64_t>(config.align) * config.align;
        config.min_pixels = s.min_tokens * cell;
        config.max_pixels = s.max_tokens * cell;
    }
    return config;
}

void check_preprocess(const Image& image, const VisionPreprocess& config) {
    const PreprocessPlan plan = plan_preprocess(image.width, image.height, config);
    const PreprocessedImage pre = preprocess(image, config);
    if (pre.images.size() != plan.images.size() || pre.tile_rows != plan.tile_rows ||
        pre.tile_cols != plan.tile_cols) {
        __builtin_trap();
    }
    for (std::size_t i = 0; i < pre.images.size(); ++i) {
        const PlanarImage& out = pre.images[i];
        if (ImageSize{out.width, out.height} != plan.images[i]) __builtin_trap();
        if (out.data.size() != static_cast<std::size_t>(out.width) * out.height * 3) {
            __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    DecodeLimits limits;
    limits.max_pixels = 128 * 128;
    limits.max_bytes = 1 << 20;
    Image image;
    try {
        image = decode_image_memory(bytes, kLabel, limits);
    } catch (const MediaError& e) {
        if (!std::string_view(e.what()).starts_with(kLabel)) __builtin_trap();
        return 0;
    }
    if (image.width <= 0 || image.height <= 0 ||
        static_cast<std::int64_t>(image.width) * image.height > limits.max_pixels ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3 ||
        image.name != kLabel) {
        __builtin_trap();
    }
    if (size < 4) return 0;
    const Sizes sizes = sizes_from(bytes.last(4));
    // A configuration check_vision_preprocess accepts must plan and preprocess any image: an
    // Error from either is a bug too.
    for (const models::ProjectorTraits& projector : models::projector_table()) {
        if (projector.modality != models::Modality::vision) continue;
        const VisionPreprocess config = config_for(projector, sizes);
        try {
            check_vision_preprocess(config);
        } catch (const Error&) {
            continue;  // e.g. more tiles a side than any model makes
        }
        check_preprocess(image, config);
    }
    return 0;
}
