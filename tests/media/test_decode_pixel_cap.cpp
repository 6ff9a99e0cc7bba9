// The pixel cap applies to the true image size: FFmpeg rounds the width up to its stride
// alignment before allocating, which must neither refuse an image under the cap nor put the
// rounded width into the message.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "png_writer.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

std::string decode_error(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {}) {
    try {
        decode_image_memory(bytes, "capped.png", limits);
    } catch (const MediaError& e) {
        return e.what();
    }
    return "";
}

TEST(DecodePixelCap, ImageExactlyAtTheCapDecodesWhateverItsAlignment) {
    // 999 columns round up to 1024 (or 1008), which would be over a cap of 999 x 1000.
    const auto png = test::black_gray_png(999, 1000);
    const Image image = decode_image_memory(png, "exact.png", {.max_pixels = 999 * 1000});
    EXPECT_EQ(image.width, 999);
    EXPECT_EQ(image.height, 1000);
    EXPECT_TRUE(std::all_of(image.rgb.begin(), image.rgb.end(), [](auto v) { return v == 0; }));
    EXPECT_EQ(decode_error(png, {.max_pixels = 999 * 1000 - 1}),
              "capped.png: image is 999x1000 pixels, over the limit of 998999 pixels");
}

TEST(DecodePixelCap, NineThousandNineHundredNinetyNineSquareUnderTheDefaultCapDecodes) {
    // 99,980,001 pixels, under the default cap of 1e8 (a 630 KB file; about 400 MB to decode).
    const auto png = test::black_gray_png(9999, 9999);
    const auto start = std::chrono::steady_clock::now();
    const Image image = decode_image_memory(png, "big.png");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("9999x9999 gray PNG (%zu bytes) decoded in %.2f s\n", png.size(), seconds);
    EXPECT_EQ(image.width, 9999);
    EXPECT_EQ(image.height, 9999);
    ASSERT_EQ(image.rgb.size(), std::size_t{9999} * 9999 * 3);
    EXPECT_EQ(image.rgb.front(), 0);
    EXPECT_EQ(image.rgb.back(), 0);
}

TEST(DecodePixelCap, OverTheCapIsRefusedWithTheTrueSize) {
    // Only the header claims the size: refused before any pixel buffer is made.
    EXPECT_EQ(decode_error(test::png_claiming(10000, 10001)),
              "capped.png: image is 10000x10001 pixels, over the limit of 100000000 pixels");
    // A complete image just over a small cap; 1001 is no multiple of any alignment.
    EXPECT_EQ(decode_error(test::black_gray_png(1001, 1000), {.max_pixels = 1'000'000}),
              "capped.png: image is 1001x1000 pixels, over the limit of 1000000 pixels");
}

}  // namespace
}  // namespace prism::media
