#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "prism/media/image.hpp"

namespace prism::media {

// Normalized float pixels, planes R, G, B: data[c*H*W + y*W + x].
struct PlanarImage {
    std::int32_t width = 0, height = 0;
    std::vector<float> data;
};

enum class ResizeFilter {
    // mtmd's BILINEAR: corner-anchored samples at x * (src-1)/dst, no antialiasing, truncated.
    bilinear,
    // mtmd's BICUBIC: 4-tap cubic (as in ViT.cpp) at x * src/dst, no antialiasing, rounded.
    bicubic,
};

// How a vision encoder wants its pixels; filled from the mmproj by the encoder's loader.
// The rules follow llama.cpp's mtmd (tools/mtmd/mtmd-image.cpp), not the transformers
// processors: see docs/architecture.md ("media") for where they differ.
struct VisionPreprocess {
    enum class Kind { idefics3, fixed_size, dynamic_size } kind = Kind::fixed_size;
    std::int32_t image_size = 0;                  // tile / fixed side (idefics3, fixed_size)
    std::int32_t longest_edge = 0;                // idefics3: clip.vision.preproc_image_size
    std::int32_t align = 0;                       // dynamic_size: patch_size * spatial_merge
    std::int64_t min_pixels = 0, max_pixels = 0;  // dynamic_size
    std::array<float, 3> mean{}, std{};
    std::array<std::uint8_t, 3> pad_color{};  // letterbox colour (LLaVA: 122,116,104)
    // fixed_size / dynamic_size: mtmd's image_resize_algo (Gemma 3, Qwen: bilinear; LLaVA:
    // bicubic). idefics3 always uses bicubic for tiles and the global image, as mtmd does.
    // Addition to the shared contract; vision_preprocess_for() fills it.
    ResizeFilter filter = ResizeFilter::bicubic;
};

// What mtmd does to the pixels for one projector type, apart from the sizes and the
// normalisation the mmproj states: one field of each row of the projector table
// (prism/models/projector_traits.hpp).
struct VisionPreprocessRule {
    VisionPreprocess::Kind kind = VisionPreprocess::Kind::fixed_size;
    ResizeFilter filter = ResizeFilter::bicubic;
    std::array<std::uint8_t, 3> pad_color{};
    // dynamic_size: mtmd's set_limit_image_tokens(min, max), tokens after the merge.
    std::int64_t min_tokens = 0, max_tokens = 0;
};

// The preprocessing of an mmproj: `rule` from its projector's row; image_size / longest_edge /
// patch_size / spatial_merge / mean / std from its clip.vision.* keys. dynamic_size aligns to
// patch_size x spatial_merge (2 when 0) and bounds the pixels by the rule's token bounds.
VisionPreprocess vision_preprocess_for(const VisionPreprocessRule& rule, std::int32_t image_size,
                                       std::int32_t longest_edge, std::int32_t patch_size,
                                       std::int32_t spatial_merge, const std::array<float, 3>& mean,
                                       const std::array<float, 3>& std);

// Throws Error when the configuration is unusable: zero or negative sizes, bad alignment or
// pixel bounds, zero std, or sizes beyond any model (sides over 16384 pixels, more than 64
// tiles a side). plan_preprocess and preprocess check it; a loader checks it to refuse a file.
void check_vision_preprocess(const VisionPreprocess& config);

struct PreprocessedImage {
    std::vector<PlanarImage> images;            // idefics3: tiles row-major then the global image
    std::int32_t tile_rows = 0, tile_cols = 0;  // idefics3 only (0 = no tiles, global only)
};

// Throws Error when the configuration is unusable (check_vision_preprocess).
PreprocessedImage preprocess(const Image& image, const VisionPreprocess& config);

// The sizes preprocess() will produce for an image of width x height, without touching pixels
// (for token counts and prompt layout before the image is encoded).
struct ImageSize {
    std::int32_t width = 0, height = 0;
    bool operator==(const ImageSize&) const = default;
};
struct PreprocessPlan {
    std::vector<ImageSize> images;  // same order as PreprocessedImage::images
    std::int32_t tile_rows = 0, tile_cols = 0;
};
PreprocessPlan plan_preprocess(std::int32_t width, std::int32_t height,
                               const VisionPreprocess& config);

}  // namespace prism::media
