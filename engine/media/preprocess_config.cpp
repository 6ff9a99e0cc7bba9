// Which of mtmd's preprocessors and settings each projector type uses (llama.cpp
// tools/mtmd/clip.cpp, hparams per projector; mtmd.cpp, preprocessor per projector).

#include <algorithm>
#include <string>

#include "prism/media/image_preprocess.hpp"

namespace prism::media {

VisionPreprocess vision_preprocess_for(std::string_view projector_type, std::int32_t image_size,
                                       std::int32_t longest_edge, std::int32_t patch_size,
                                       std::int32_t spatial_merge, const std::array<float, 3>& mean,
                                       const std::array<float, 3>& std) {
    VisionPreprocess config;
    config.image_size = image_size;
    config.mean = mean;
    config.std = std;
    if (projector_type == "idefics3") {
        config.kind = VisionPreprocess::Kind::idefics3;
        config.longest_edge = longest_edge;
        config.filter = ResizeFilter::bicubic;
    } else if (projector_type == "gemma3") {
        config.kind = VisionPreprocess::Kind::fixed_size;
        config.filter = ResizeFilter::bilinear;
    } else if (projector_type == "mlp") {
        config.kind = VisionPreprocess::Kind::fixed_size;
        config.filter = ResizeFilter::bicubic;
        config.pad_color = {122, 116, 104};
    } else if (projector_type == "qwen2vl_merger" || projector_type == "qwen2.5vl_merger") {
        config.kind = VisionPreprocess::Kind::dynamic_size;
        config.filter = ResizeFilter::bilinear;
        // In 64 bits and capped: an mmproj's values arrive here before its tensors are checked
        // (the patch kernel's shape bounds the true patch size), and a damaged file must not
        // overflow. No model aligns to more than a few dozen pixels.
        constexpr std::int64_t kMaxAlign = 1 << 16;
        const std::int64_t merge = spatial_merge > 0 ? spatial_merge : 2;
        config.align = static_cast<std::int32_t>(
            std::clamp<std::int64_t>(std::int64_t{patch_size} * merge, 0, kMaxAlign));
        // mtmd's set_limit_image_tokens(8, 4096): tokens after the 2x2 merge.
        const std::int64_t token_area = static_cast<std::int64_t>(config.align) * config.align;
        config.min_pixels = 8 * token_area;
        config.max_pixels = 4096 * token_area;
    } else {
        throw Error("image preprocessing: projector type '" + std::string(projector_type) +
                    "' is not supported");
    }
    return config;
}

}  // namespace prism::media
