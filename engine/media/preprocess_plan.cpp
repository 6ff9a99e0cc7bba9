// Output sizes of each family's preprocessing (mtmd's rules), shared by plan_preprocess() and
// preprocess() so token counts never disagree with the pixels.

#include <cmath>
#include <string>

#include "prism/media/image_preprocess.hpp"
#include "prism/media/resize.hpp"

namespace prism::media {
namespace {

// Beyond any model (SmolVLM: 512-pixel tiles, a 2048 longest edge, 6 tiles a side at most;
// Gemma 3: 896; Qwen: 3.2 M pixels): a damaged mmproj asking for more is refused, rather than
// planned into sizes that overflow or images no memory holds.
constexpr std::int32_t kMaxSide = 1 << 14;
constexpr std::int32_t kMaxTilesPerSide = 64;

[[noreturn]] void refuse(const std::string& what) {
    throw Error("image preprocessing: " + what);
}

}  // namespace

void check_vision_preprocess(const VisionPreprocess& config) {
    using Kind = VisionPreprocess::Kind;
    const std::string limit = std::to_string(kMaxSide);
    if (config.kind == Kind::idefics3 || config.kind == Kind::fixed_size) {
        if (config.image_size <= 0) {
            refuse("image_size must be positive, got " + std::to_string(config.image_size));
        }
        if (config.image_size > kMaxSide) {
            refuse("image_size " + std::to_string(config.image_size) + " is over " + limit);
        }
    }
    if (config.kind == Kind::idefics3) {
        if (config.longest_edge < 0 || config.longest_edge > kMaxSide) {
            refuse("longest edge " + std::to_string(config.longest_edge) + " is outside 0.." +
                   limit);
        }
        if ((config.longest_edge + config.image_size - 1) / config.image_size > kMaxTilesPerSide) {
            refuse("a longest edge of " + std::to_string(config.longest_edge) + " in tiles of " +
                   std::to_string(config.image_size) + " makes more than " +
                   std::to_string(kMaxTilesPerSide) + " tiles a side");
        }
    }
    if (config.kind == Kind::dynamic_size &&
        (config.align <= 0 || config.min_pixels <= 0 || config.max_pixels < config.min_pixels)) {
        refuse("dynamic size needs align > 0 and 0 < min_pixels <= max_pixels (align " +
               std::to_string(config.align) + ", min " + std::to_string(config.min_pixels) +
               ", max " + std::to_string(config.max_pixels) + ")");
    }
    if (config.kind == Kind::dynamic_size &&
        (config.align > kMaxSide ||
         config.max_pixels > static_cast<std::int64_t>(kMaxSide) * kMaxSide)) {
        refuse("dynamic size beyond " + limit + "x" + limit + " pixels (align " +
               std::to_string(config.align) + ", max " + std::to_string(config.max_pixels) + ")");
    }
    for (std::size_t c = 0; c < config.std.size(); ++c) {
        if (!(config.std[c] != 0.0f)) refuse("image_std[" + std::to_string(c) + "] is zero");
    }
}

PreprocessPlan plan_preprocess(std::int32_t width, std::int32_t height,
                               const VisionPreprocess& config) {
    check_vision_preprocess(config);
    if (width <= 0 || height <= 0) {
        throw Error("image preprocessing: image is " + std::to_string(width) + "x" +
                    std::to_string(height));
    }
    PreprocessPlan plan;
    switch (config.kind) {
        case VisionPreprocess::Kind::idefics3: {
            // Tiles of the refined image (longest edge, sides rounded up to whole tiles), then
            // the global image; no longest_edge means global only.
            const std::int32_t side = config.image_size;
            const ImageSize refined = longest_edge_size(width, height, side, config.longest_edge);
            if (refined.width > 0 && refined.height > 0) {
                plan.tile_cols = (refined.width + side - 1) / side;
                plan.tile_rows = (refined.height + side - 1) / side;
                for (std::int32_t y = 0; y < refined.height; y += side) {
                    for (std::int32_t x = 0; x < refined.width; x += side) {
                        plan.images.push_back({std::min(side, refined.width - x),
                                               std::min(side, refined.height - y)});
                    }
                }
            }
            plan.images.push_back({side, side});
            break;
        }
        case VisionPreprocess::Kind::fixed_size:
            plan.images.push_back({config.image_size, config.image_size});
            break;
        case VisionPreprocess::Kind::dynamic_size:
            plan.images.push_back(smart_resize_size(width, height, config.align, config.min_pixels,
                                                    config.max_pixels));
            break;
    }
    return plan;
}

}  // namespace prism::media
