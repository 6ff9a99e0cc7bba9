#pragma once

#include <array>
#include <cstdint>

#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"

// The image primitives of llama.cpp's mtmd preprocessing, reproduced so that Prism feeds a
// vision encoder the same pixels llama.cpp does. None of them is Pillow/torchvision-exact.
namespace prism::media {

// Stretch to exactly width x height.
Image resize(const Image& image, std::int32_t width, std::int32_t height, ResizeFilter filter);

// The size the image takes inside a width x height canvas when its aspect ratio is kept
// (mtmd's PAD_CEIL: ceil of the scaled sides, at most the canvas).
ImageSize letterbox_inner_size(std::int32_t src_width, std::int32_t src_height, std::int32_t width,
                               std::int32_t height);

// Aspect-preserving resize, centred on a width x height canvas filled with pad_color.
// An image that already has the target size is returned unchanged.
Image resize_letterbox(const Image& image, std::int32_t width, std::int32_t height,
                       ResizeFilter filter, std::array<std::uint8_t, 3> pad_color);

// A width x height window starting at (x, y); it must lie inside the image.
Image crop(const Image& image, std::int32_t x, std::int32_t y, std::int32_t width,
           std::int32_t height);

// v = (u8 / 255 - mean[c]) / std[c], into planes R, G, B.
PlanarImage normalize(const Image& image, const std::array<float, 3>& mean,
                      const std::array<float, 3>& std);

// HF "smart resize" as mtmd computes it: sides multiples of align, aspect about kept,
// min_pixels <= W*H <= max_pixels (dynamic_size models).
ImageSize smart_resize_size(std::int32_t width, std::int32_t height, std::int32_t align,
                            std::int64_t min_pixels, std::int64_t max_pixels);

// Sides scaled so the longer one is longest_edge, each then rounded UP to a multiple of align
// (idefics3's refined size).
ImageSize longest_edge_size(std::int32_t width, std::int32_t height, std::int32_t align,
                            std::int32_t longest_edge);

}  // namespace prism::media
