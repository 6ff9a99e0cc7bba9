#pragma once

#include <cstdint>
#include <span>

#include "prism/media/image.hpp"

namespace prism::media::detail {

// Turns an image stored with EXIF orientation `orientation` (1..8) upright; other values are
// treated as 1 (upright), as viewers do.
void apply_exif_orientation(Image& image, int orientation);

// The Orientation tag (0x0112) of a JPEG's APP1 EXIF segment, or 0 when there is none.
// Never reads outside `bytes`.
int jpeg_exif_orientation(std::span<const std::uint8_t> bytes);

}  // namespace prism::media::detail
