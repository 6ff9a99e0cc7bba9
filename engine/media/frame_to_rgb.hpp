#pragma once

// A decoded picture as an Image: the conversion the image and video decoders share.

#include <cstdint>
#include <string_view>

extern "C" {
#include <libavutil/frame.h>
}

#include "prism/media/image.hpp"

namespace prism::media::detail {

// Converts a decoded frame to packed RGB8 of width x height (alpha composited on white; any
// YUV range and layout FFmpeg decodes to). A size other than the frame's is a downscale by
// area averaging, so that no detail aliases. Throws MediaError naming `name`.
Image frame_to_rgb(const AVFrame& frame, std::string_view name, std::int32_t width,
                   std::int32_t height);

}  // namespace prism::media::detail
