#include "media/orientation.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

namespace prism::media::detail {
namespace {

// Output pixel (x, y) of an upright image of out_w x out_h comes from stored pixel
// source(x, y) of the w x h image. Orientations 5..8 swap the sides.
std::pair<std::int32_t, std::int32_t> source_pixel(int orientation, std::int32_t x, std::int32_t y,
                                                   std::int32_t w, std::int32_t h) {
    switch (orientation) {
        case 2:
            return {w - 1 - x, y};  // mirrored horizontally
        case 3:
            return {w - 1 - x, h - 1 - y};  // rotated 180
        case 4:
            return {x, h - 1 - y};  // mirrored vertically
        case 5:
            return {y, x};  // transposed
        case 6:
            return {y, h - 1 - x};  // stored rotated 90 CCW: turn 90 CW
        case 7:
            return {w - 1 - y, h - 1 - x};  // transversed
        case 8:
            return {w - 1 - y, x};  // stored rotated 90 CW: turn 90 CCW
        default:
            return {x, y};
    }
}

}  // namespace

void apply_exif_orientation(Image& image, int orientation) {
    if (orientation < 2 || orientation > 8) return;
    const std::int32_t w = image.width, h = image.height;
    const bool swaps = orientation >= 5;
    const std::int32_t out_w = swaps ? h : w, out_h = swaps ? w : h;
    std::vector<std::uint8_t> out(image.rgb.size());
    for (std::int32_t y = 0; y < out_h; ++y) {
        for (std::int32_t x = 0; x < out_w; ++x) {
            const auto [sx, sy] = source_pixel(orientation, x, y, w, h);
            const std::size_t src = (static_cast<std::size_t>(sy) * w + sx) * 3;
            const std::size_t dst = (static_cast<std::size_t>(y) * out_w + x) * 3;
            out[dst] = image.rgb[src];
            out[dst + 1] = image.rgb[src + 1];
            out[dst + 2] = image.rgb[src + 2];
        }
    }
    image.rgb = std::move(out);
    image.width = out_w;
    image.height = out_h;
}

namespace {

struct TiffReader {
    std::span<const std::uint8_t> data;  // starts at the TIFF header
    bool little_endian = true;

    bool has(std::size_t offset, std::size_t size) const {
        return offset <= data.size() && size <= data.size() - offset;
    }
    std::uint32_t u16(std::size_t at) const {
        return little_endian ? data[at] | data[at + 1] << 8 : data[at] << 8 | data[at + 1];
    }
    std::uint32_t u32(std::size_t at) const {
        return little_endian ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
    }
};

int orientation_in_tiff(std::span<const std::uint8_t> tiff) {
    TiffReader r{tiff};
    if (!r.has(0, 8)) return 0;
    if (tiff[0] == 'I' && tiff[1] == 'I') {
        r.little_endian = true;
    } else if (tiff[0] == 'M' && tiff[1] == 'M') {
        r.little_endian = false;
    } else {
        return 0;
    }
    const std::size_t ifd = r.u32(4);
    if (!r.has(ifd, 2)) return 0;
    const std::size_t entries = r.u16(ifd);
    for (std::size_t i = 0; i < entries; ++i) {
        const std::size_t entry = ifd + 2 + i * 12;
        if (!r.has(entry, 12)) return 0;
        if (r.u16(entry) == 0x0112 && r.u16(entry + 2) == 3 /* SHORT */) {
            return static_cast<int>(r.u16(entry + 8));
        }
    }
    return 0;
}

}  // namespace

namespace {

int jpeg_orientation(std::span<const std::uint8_t> bytes) {
    std::size_t at = 2;
    // Markers before the first scan; EXIF is an APP1 segment near the start.
    while (at + 4 <= bytes.size()) {
        if (bytes[at] != 0xFF) return 0;
        const std::uint8_t marker = bytes[at + 1];
        if (marker == 0xFF) {  // fill byte
            ++at;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9) return 0;  // start of scan / end of image
        const std::size_t length = static_cast<std::size_t>(bytes[at + 2]) << 8 | bytes[at + 3];
        if (length < 2 || at + 2 + length > bytes.size()) return 0;
        const auto payload = bytes.subspan(at + 4, length - 2);
        static constexpr std::uint8_t exif_id[] = {'E', 'x', 'i', 'f', 0, 0};
        if (marker == 0xE1 && payload.size() > 6 &&
            std::equal(std::begin(exif_id), std::end(exif_id), payload.begin())) {
            return orientation_in_tiff(payload.subspan(6));
        }
        at += 2 + length;
    }
    return 0;
}

int png_orientation(std::span<const std::uint8_t> bytes) {
    std::size_t at = 8;  // after the signature
    while (at + 12 <= bytes.size()) {
        const std::size_t length = static_cast<std::size_t>(bytes[at]) << 24 |
                                   static_cast<std::size_t>(bytes[at + 1]) << 16 |
                                   static_cast<std::size_t>(bytes[at + 2]) << 8 | bytes[at + 3];
        if (length > bytes.size() - at - 12) return 0;
        const auto type = bytes.subspan(at + 4, 4);
        const auto is = [&](const char* name) {
            return std::equal(type.begin(), type.end(), name);
        };
        if (is("eXIf")) return orientation_in_tiff(bytes.subspan(at + 8, length));
        if (is("IDAT") || is("IEND")) return 0;  // eXIf must come before the image data
        at += 12 + length;
    }
    return 0;
}

}  // namespace

int container_exif_orientation(std::span<const std::uint8_t> bytes) {
    static constexpr std::uint8_t png_signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8) return jpeg_orientation(bytes);
    if (bytes.size() >= 8 &&
        std::equal(std::begin(png_signature), std::end(png_signature), bytes.begin())) {
        return png_orientation(bytes);
    }
    if (bytes.size() >= 4 &&
        ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] == 42 && bytes[3] == 0) ||
         (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] == 42))) {
        return orientation_in_tiff(bytes);
    }
    return 0;
}

}  // namespace prism::media::detail
