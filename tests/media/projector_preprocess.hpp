#pragma once

// The preprocessing an mmproj of a projector type and these clip.vision.* values gets: the
// projector row's rule plus the sizes, as read_vision_hparams puts them together.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "prism/media/image_preprocess.hpp"
#include "prism/models/projector_traits.hpp"

namespace prism::test {

inline media::VisionPreprocess projector_preprocess(
    std::string_view projector, std::int32_t image_size, std::int32_t longest_edge,
    std::int32_t patch_size, std::int32_t spatial_merge, const std::array<float, 3>& mean,
    const std::array<float, 3>& std) {
    const models::ProjectorTraits* row = models::find_projector(projector);
    if (row == nullptr)
        throw std::invalid_argument("no projector row '" + std::string(projector) + "'");
    return media::vision_preprocess_for(row->preprocess, image_size, longest_edge, patch_size,
                                        spatial_merge, mean, std);
}

}  // namespace prism::test
