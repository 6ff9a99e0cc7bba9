// A projector row's preprocessing rule plus the mmproj's sizes and normalisation, as one
// VisionPreprocess.

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
        config.align = patch_size * (spatial_merge > 0 ? spatial_merge : 2);
        const std::int64_t token_area = static_cast<std::int64_t>(config.align) * config.align;
        config.min_pixels = rule.min_tokens * token_area;
        config.max_pixels = rule.max_tokens * token_area;
    }
    return config;
}

}  // namespace prism::media
