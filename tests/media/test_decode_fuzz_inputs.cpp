// Inputs on which tests/fuzz/fuzz_image found a bug, each decoded as the app would: the result
// is the one-line error a user sees, not a crash or undefined behaviour.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "media_test_data.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

std::filesystem::path fuzz_input(const std::string& name) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "fuzz" / "image" / name;
}

// A PNG header of 3082142903 x 4278224942 pixels: FFmpeg refuses it and logs the size, and the
// pixel-cap check multiplied the two sides in 64-bit signed arithmetic, which overflowed.
TEST(DecodeFuzzInputs, SidesWhoseProductOverflowsHitThePixelCap) {
    const auto bytes = test::read_bytes(fuzz_input("png_sides_overflow_int64.png"));
    try {
        decode_image_memory(bytes, "huge.png");
        FAIL() << "decoded a 3082142903x4278224942 image";
    } catch (const MediaError& e) {
        EXPECT_STREQ(e.what(),
                     "huge.png: image is 3082142903x4278224942 pixels, over the limit of "
                     "100000000 pixels");
    }
}

}  // namespace
}  // namespace prism::media
