// Pixels for each family, as llama.cpp's mtmd prepares them (tools/mtmd/mtmd-image.cpp):
// idefics3 = mtmd_image_preprocessor_idefics3, fixed_size = ..._fixed_size,
// dynamic_size = ..._dyn_size.

#include <algorithm>

#include "prism/media/image_preprocess.hpp"
#include "prism/media/resize.hpp"

namespace prism::media {

PreprocessedImage preprocess(const Image& image, const VisionPreprocess& config) {
    const PreprocessPlan plan = plan_preprocess(image.width, image.height, config);
    PreprocessedImage out;
    out.tile_rows = plan.tile_rows;
    out.tile_cols = plan.tile_cols;
    const auto add = [&](const Image& pixels) {
        out.images.push_back(normalize(pixels, config.mean, config.std));
    };
    switch (config.kind) {
        case VisionPreprocess::Kind::idefics3: {
            const std::int32_t side = config.image_size;
            if (plan.tile_rows > 0) {
                // The refined image is letterboxed (mtmd's PAD_CEIL), not stretched as in HF.
                const Image refined =
                    resize_letterbox(image, plan.tile_cols * side, plan.tile_rows * side,
                                     ResizeFilter::bicubic, config.pad_color);
                for (std::int32_t r = 0; r < plan.tile_rows; ++r) {
                    for (std::int32_t c = 0; c < plan.tile_cols; ++c) {
                        add(crop(refined, c * side, r * side, side, side));
                    }
                }
            }
            // The global image is stretched (mtmd's image_pad_ov = PAD_NONE).
            add(resize(image, side, side, ResizeFilter::bicubic));
            break;
        }
        case VisionPreprocess::Kind::fixed_size:
        case VisionPreprocess::Kind::dynamic_size: {
            const ImageSize size = plan.images.front();
            add(resize_letterbox(image, size.width, size.height, config.filter, config.pad_color));
            break;
        }
    }
    return out;
}

}  // namespace prism::media
