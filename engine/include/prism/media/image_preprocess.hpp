#pragma once
// Preprocessed pixels as the vision encoders receive them, and the per-model rules that
// produce them (filled from the mmproj by the encoder's loader). Shared contract of issue 4.

#include <array>
#include <cstdint>
#include <vector>

namespace prism::media {

struct Image;

struct PlanarImage {  // normalized float pixels, planes R, G, B: data[c*H*W + y*W + x]
    std::int32_t width = 0, height = 0;
    std::vector<float> data;
};

struct VisionPreprocess {  // filled from the mmproj by the encoder's loader
    enum class Kind { idefics3, fixed_size, dynamic_size } kind;
    std::int32_t image_size = 0;                  // tile / fixed side (idefics3, fixed_size)
    std::int32_t longest_edge = 0;                // idefics3: clip.vision.preproc_image_size
    std::int32_t align = 0;                       // dynamic_size: patch_size * spatial_merge
    std::int64_t min_pixels = 0, max_pixels = 0;  // dynamic_size
    std::array<float, 3> mean{}, std{};
    std::array<std::uint8_t, 3> pad_color{};  // letterbox colour (LLaVA: 122,116,104)
};

struct PreprocessedImage {
    std::vector<PlanarImage> images;  // idefics3: tiles row-major then the global image; else one
    std::int32_t tile_rows = 0, tile_cols = 0;  // idefics3 only (0 = no tiles, global only)
};

PreprocessedImage preprocess(const Image& image, const VisionPreprocess& config);

}  // namespace prism::media
