// mtmd's resize primitives (llama.cpp tools/mtmd/mtmd-image.cpp, img_tool), re-implemented with
// the same float arithmetic so that the u8 results match llama.cpp's bit for bit.

#include "prism/media/resize.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace prism::media {
namespace {

Image blank(std::int32_t width, std::int32_t height, const std::string& name) {
    Image out;
    out.width = width;
    out.height = height;
    out.name = name;
    out.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    return out;
}

void check_target(const Image& image, std::int32_t width, std::int32_t height) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
        throw Error(image.name + ": image buffer does not match its size");
    }
    if (width <= 0 || height <= 0) {
        throw Error(image.name + ": cannot resize to " + std::to_string(width) + "x" +
                    std::to_string(height));
    }
}

float lerp(float from, float to, float t) {
    return from + (to - from) * t;
}

// Samples at x * (src-1)/dst: the last source column is never reached exactly, as in mtmd.
// mtmd requires sources of at least 2x2; a 1-pixel side here repeats its only pixel.
Image bilinear(const Image& src, std::int32_t width, std::int32_t height) {
    Image dst = blank(width, height, src.name);
    const float x_ratio = static_cast<float>(src.width - 1) / static_cast<float>(width);
    const float y_ratio = static_cast<float>(src.height - 1) / static_cast<float>(height);
    const std::int32_t x_last = std::max(src.width - 2, 0), y_last = std::max(src.height - 2, 0);
    const auto at = [&](std::int32_t x, std::int32_t y, int c) {
        return static_cast<float>(src.rgb[(static_cast<std::size_t>(y) * src.width + x) * 3 + c]);
    };
    for (std::int32_t y = 0; y < height; ++y) {
        const float py = y_ratio * static_cast<float>(y);
        const std::int32_t y0 = std::min(static_cast<std::int32_t>(py), y_last);
        const std::int32_t y1 = std::min(y0 + 1, src.height - 1);
        const float ty = py - static_cast<float>(y0);
        for (std::int32_t x = 0; x < width; ++x) {
            const float px = x_ratio * static_cast<float>(x);
            const std::int32_t x0 = std::min(static_cast<std::int32_t>(px), x_last);
            const std::int32_t x1 = std::min(x0 + 1, src.width - 1);
            const float tx = px - static_cast<float>(x0);
            for (int c = 0; c < 3; ++c) {
                const float top = lerp(at(x0, y0, c), at(x1, y0, c), tx);
                const float bottom = lerp(at(x0, y1, c), at(x1, y1, c), tx);
                dst.rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c] =
                    static_cast<std::uint8_t>(lerp(top, bottom, ty));
            }
        }
    }
    return dst;
}

// One cubic segment through p[-1..2] at t in [0, 1), coefficients as mtmd computes them
// (double constants, stored to float).
float cubic(float pm1, float p0, float p1, float p2, float t) {
    const float d0 = pm1 - p0, d2 = p1 - p0, d3 = p2 - p0;
    const auto a1 = static_cast<float>(-1.0 / 3 * d0 + d2 - 1.0 / 6 * d3);
    const auto a2 = static_cast<float>(1.0 / 2 * d0 + 1.0 / 2 * d2);
    const auto a3 = static_cast<float>(-1.0 / 6 * d0 - 1.0 / 2 * d2 + 1.0 / 6 * d3);
    return p0 + a1 * t + a2 * t * t + a3 * t * t * t;
}

// Samples at x * src/dst (top-left anchored), edges clamped, no antialiasing. mtmd evaluates
// four horizontal cubics per output pixel and then one vertical; a horizontal cubic depends
// only on the source row and the output column, so they are computed once per (row, column)
// here: the same float operations in the same order, 4x fewer of them when upscaling.
Image bicubic(const Image& src, std::int32_t width, std::int32_t height) {
    Image dst = blank(width, height, src.name);
    const float tx = static_cast<float>(src.width) / static_cast<float>(width);
    const float ty = static_cast<float>(src.height) / static_cast<float>(height);
    std::vector<std::int32_t> column_x(static_cast<std::size_t>(width));
    std::vector<float> column_dx(static_cast<std::size_t>(width));
    for (std::int32_t j = 0; j < width; ++j) {
        column_x[j] = static_cast<std::int32_t>(tx * static_cast<float>(j));
        column_dx[j] = tx * static_cast<float>(j) - static_cast<float>(column_x[j]);
    }
    // rows[(r * width + j) * 3 + c]: source row r interpolated at output column j.
    std::vector<float> rows(static_cast<std::size_t>(src.height) * width * 3);
    for (std::int32_t r = 0; r < src.height; ++r) {
        const std::uint8_t* row = src.rgb.data() + static_cast<std::size_t>(r) * src.width * 3;
        const auto at = [&](std::int32_t x, int c) {
            return static_cast<float>(
                row[static_cast<std::size_t>(std::clamp(x, 0, src.width - 1)) * 3 + c]);
        };
        for (std::int32_t j = 0; j < width; ++j) {
            const std::int32_t x = column_x[j];
            for (int c = 0; c < 3; ++c) {
                rows[(static_cast<std::size_t>(r) * width + j) * 3 + c] =
                    cubic(at(x - 1, c), at(x, c), at(x + 1, c), at(x + 2, c), column_dx[j]);
            }
        }
    }
    const auto row_at = [&](std::int32_t r, std::int32_t j, int c) {
        return rows[(static_cast<std::size_t>(std::clamp(r, 0, src.height - 1)) * width + j) * 3 +
                    c];
    };
    for (std::int32_t i = 0; i < height; ++i) {
        const auto y = static_cast<std::int32_t>(ty * static_cast<float>(i));
        const float dy = ty * static_cast<float>(i) - static_cast<float>(y);
        for (std::int32_t j = 0; j < width; ++j) {
            for (int c = 0; c < 3; ++c) {
                const float value = cubic(row_at(y - 1, j, c), row_at(y, j, c), row_at(y + 1, j, c),
                                          row_at(y + 2, j, c), dy);
                dst.rgb[(static_cast<std::size_t>(i) * width + j) * 3 + c] =
                    static_cast<std::uint8_t>(std::min(std::max(std::round(value), 0.0f), 255.0f));
            }
        }
    }
    return dst;
}

Image resample(const Image& image, std::int32_t width, std::int32_t height, ResizeFilter filter) {
    return filter == ResizeFilter::bilinear ? bilinear(image, width, height)
                                            : bicubic(image, width, height);
}

}  // namespace

Image resize(const Image& image, std::int32_t width, std::int32_t height, ResizeFilter filter) {
    check_target(image, width, height);
    if (width == image.width && height == image.height) return image;
    return resample(image, width, height, filter);
}

ImageSize letterbox_inner_size(std::int32_t src_width, std::int32_t src_height, std::int32_t width,
                               std::int32_t height) {
    const float scale = std::min(static_cast<float>(width) / static_cast<float>(src_width),
                                 static_cast<float>(height) / static_cast<float>(src_height));
    return {std::min(static_cast<std::int32_t>(std::ceil(static_cast<float>(src_width) * scale)),
                     width),
            std::min(static_cast<std::int32_t>(std::ceil(static_cast<float>(src_height) * scale)),
                     height)};
}

Image resize_letterbox(const Image& image, std::int32_t width, std::int32_t height,
                       ResizeFilter filter, std::array<std::uint8_t, 3> pad_color) {
    check_target(image, width, height);
    if (width == image.width && height == image.height) return image;
    const ImageSize inner = letterbox_inner_size(image.width, image.height, width, height);
    // mtmd resamples even when the inner size equals the source size.
    const Image resized = resample(image, inner.width, inner.height, filter);
    Image canvas = blank(width, height, image.name);
    for (std::size_t i = 0; i < canvas.rgb.size(); i += 3) {
        std::copy(pad_color.begin(), pad_color.end(),
                  canvas.rgb.begin() + static_cast<std::ptrdiff_t>(i));
    }
    const std::int32_t offset_x = (width - inner.width) / 2, offset_y = (height - inner.height) / 2;
    for (std::int32_t y = 0; y < inner.height; ++y) {
        const auto from = resized.rgb.begin() + static_cast<std::ptrdiff_t>(y) * inner.width * 3;
        std::copy(from, from + static_cast<std::ptrdiff_t>(inner.width) * 3,
                  canvas.rgb.begin() +
                      (static_cast<std::ptrdiff_t>(y + offset_y) * width + offset_x) * 3);
    }
    return canvas;
}

Image crop(const Image& image, std::int32_t x, std::int32_t y, std::int32_t width,
           std::int32_t height) {
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.width ||
        y + height > image.height) {
        throw Error(image.name + ": crop window outside the image");
    }
    Image out = blank(width, height, image.name);
    for (std::int32_t row = 0; row < height; ++row) {
        const auto from =
            image.rgb.begin() + (static_cast<std::ptrdiff_t>(y + row) * image.width + x) * 3;
        std::copy(from, from + static_cast<std::ptrdiff_t>(width) * 3,
                  out.rgb.begin() + static_cast<std::ptrdiff_t>(row) * width * 3);
    }
    return out;
}

PlanarImage normalize(const Image& image, const std::array<float, 3>& mean,
                      const std::array<float, 3>& std) {
    PlanarImage out;
    out.width = image.width;
    out.height = image.height;
    const std::size_t plane = static_cast<std::size_t>(image.width) * image.height;
    out.data.resize(plane * 3);
    for (std::size_t i = 0; i < plane; ++i) {
        for (std::size_t c = 0; c < 3; ++c) {
            out.data[c * plane + i] =
                (static_cast<float>(image.rgb[i * 3 + c]) / 255.0f - mean[c]) / std[c];
        }
    }
    return out;
}

ImageSize smart_resize_size(std::int32_t width, std::int32_t height, std::int32_t align,
                            std::int64_t min_pixels, std::int64_t max_pixels) {
    const auto f = static_cast<float>(align);
    const auto round_to = [&](float x) {
        return static_cast<std::int32_t>(std::round(x / f)) * align;
    };
    const auto ceil_to = [&](float x) {
        return static_cast<std::int32_t>(std::ceil(x / f)) * align;
    };
    const auto floor_to = [&](float x) {
        return static_cast<std::int32_t>(std::floor(x / f)) * align;
    };
    std::int32_t h = std::max(align, round_to(static_cast<float>(height)));
    std::int32_t w = std::max(align, round_to(static_cast<float>(width)));
    const auto area = static_cast<float>(static_cast<std::int64_t>(height) * width);
    if (static_cast<std::int64_t>(h) * w > max_pixels) {
        const float beta = std::sqrt(area / static_cast<float>(max_pixels));
        h = std::max(align, floor_to(static_cast<float>(height) / beta));
        w = std::max(align, floor_to(static_cast<float>(width) / beta));
    } else if (static_cast<std::int64_t>(h) * w < min_pixels) {
        const float beta = std::sqrt(static_cast<float>(min_pixels) / area);
        h = ceil_to(static_cast<float>(height) * beta);
        w = ceil_to(static_cast<float>(width) * beta);
    }
    return {w, h};
}

ImageSize longest_edge_size(std::int32_t width, std::int32_t height, std::int32_t align,
                            std::int32_t longest_edge) {
    if (width <= 0 || height <= 0 || longest_edge <= 0) return {0, 0};
    const float scale = std::min(static_cast<float>(longest_edge) / static_cast<float>(width),
                                 static_cast<float>(longest_edge) / static_cast<float>(height));
    const auto ceil_to = [&](float x) {
        return static_cast<std::int32_t>(std::ceil(x / static_cast<float>(align))) * align;
    };
    return {ceil_to(static_cast<float>(width) * scale),
            ceil_to(static_cast<float>(height) * scale)};
}

}  // namespace prism::media
