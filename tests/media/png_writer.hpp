#pragma once

// PNG files built byte by byte for the decoder tests: headers that claim any size, and
// uniform images of any size that take little memory to write.

#include <cstdint>
#include <span>
#include <vector>

namespace prism::test {

std::uint32_t crc32(std::span<const std::uint8_t> bytes);
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v);  // big-endian
// length, type, data, CRC
void put_chunk(std::vector<std::uint8_t>& out, const char type[4],
               std::span<const std::uint8_t> data);

// A well-formed PNG header claiming width x height RGB, followed by a tiny IDAT.
std::vector<std::uint8_t> png_claiming(std::uint32_t width, std::uint32_t height);

// A complete, valid black 8-bit grayscale PNG. The pixels compress to runs of back-references
// (13 bits per 258 bytes), so a 9999x9999 image is a 630 KB file.
std::vector<std::uint8_t> black_gray_png(std::uint32_t width, std::uint32_t height);

}  // namespace prism::test
