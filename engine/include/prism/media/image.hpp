#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/error.hpp"

namespace prism {

// An image that cannot be read: unknown or corrupt content, truncated data, or over a size cap.
// what() starts with the file name (or the caller's label for in-memory images).
class MediaError : public Error {
  public:
    using Error::Error;
};

}  // namespace prism

namespace prism::media {

// 8-bit RGB, row-major, width*height*3 bytes, upright (EXIF orientation already applied).
// Images with an alpha channel are composited on white.
struct Image {
    std::int32_t width = 0, height = 0;
    std::vector<std::uint8_t> rgb;
    std::string name;  // file name or caller label, used in error messages
};

struct DecodeLimits {
    // Checked against the dimensions in the header, before any pixel is decoded.
    std::int64_t max_pixels = 100'000'000;
    std::uint64_t max_bytes = 256ull << 20;  // size of the encoded file / buffer
};

// JPEG, PNG, WebP, BMP, GIF (first frame) and TIFF, recognised by content (the file's
// extension is ignored). Throws MediaError.
Image decode_image_file(const std::filesystem::path& path, const DecodeLimits& limits = {});
Image decode_image_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const DecodeLimits& limits = {});

}  // namespace prism::media
