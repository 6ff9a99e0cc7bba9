#pragma once

#include <cstdint>
#include <span>

#include "prism/media/image.hpp"

namespace prism::media::detail {

// Turns an image stored with EXIF orientation `orientation` (1..8) upright; other values are
// treated as 1 (upright), as viewers do.
void apply_exif_orientation(Image& image, int orientation);

// The EXIF Orientation tag (0x0112) found in the file's container, or 0 when there is none:
// a JPEG's APP1 "Exif" segment, a PNG's eXIf chunk, or a TIFF's first IFD. (FFmpeg 5.1 exports
// EXIF as frame metadata for JPEG and WebP only.) Never reads outside `bytes`.
int container_exif_orientation(std::span<const std::uint8_t> bytes);

}  // namespace prism::media::detail
