// A projector row's preprocessing rule plus the mmproj's sizes and normalisation, as one
// VisionPreprocess.

#include <algorithm>
#include <cstdint>

#include "prism/media/image_preprocess.hpp"

namespace prism::media {

VisionPreprocess vision_preprocess_for(const VisionPreprocessRule& rule, std::int32_t image_size,
                                       std::int32_t longest_edge, std::int32_t patch_size,
                                       std::int32_t spatial_merge, const std::array<float, 3>& mean,
                                       const std::array<float, 3>& std) {
    VisionPreprocess config;
    config.kind = rule.kind;
    config.filter = rule.filter;
    config.pad_color = rule.pad_color;
    config.image_size = image_size;
    config.mean = mean;
    config.std = std;
    if (rule.kind == VisionPreprocess::Kind::idefics3) config.longest_edge = longest_edge;
    if (rule.kind == VisionPreprocess::Kind::dynamic_size) {
        // In 64 bits and capped: an mmproj's values arrive here before its tensors are checked
        // (the patch kernel's shape bounds the true patch size), and a damaged file must not
        // overflow. No model aligns to more than a few dozen pixels.
        constexpr std::int64_t kMaxAlign = 1 << 16;
        const std::int64_t merge = spatial_merge > 0 ? spatial_merge : 2;
        config.align = static_cast<std::int32_t>(
            std::clamp<std::int64_t>(std::int64_t{patch_size} * merge, 0, kMaxAlign));
        const std::int64_t token_area = static_cast<std::int64_t>(config.align) * config.align;
        config.min_pixels = rule.min_tokens * token_area;
        config.max_pixels = rule.max_tokens * token_area;
    }
    return config;
}

}  // namespace prism::media
