// Every supported format decodes to the pixels Pillow gives (tests/data/images, made by
// tools/make_image_references.py), from a file and from memory.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "media_test_data.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

using test::image_fixture;

struct Difference {
    int max = 0;
    double mean = 0;
};

Difference compare(const Image& image, const std::vector<std::uint8_t>& expected) {
    Difference d;
    EXPECT_EQ(image.rgb.size(), expected.size());
    const std::size_t n = std::min(image.rgb.size(), expected.size());
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const int delta = std::abs(int(image.rgb[i]) - int(expected[i]));
        d.max = std::max(d.max, delta);
        sum += delta;
    }
    d.mean = n ? sum / double(n) : 0;
    return d;
}

struct FormatCase {
    const char* file;
    int width, height;
    int max_abs;      // largest allowed |prism - pillow| on any channel
    double mean_abs;  // allowed mean |prism - pillow|
};

// Lossless formats must match Pillow exactly. Lossy ones are decoded by different decoders:
// FFmpeg's JPEG IDCT and its swscale chroma upsampling vs libjpeg-turbo's ISLOW IDCT and
// "fancy" (triangle) upsampling; FFmpeg's VP8 decoder + swscale vs libwebp's YUV->RGB. Those
// differ by a few levels on edges of the 4:2:0 chroma, hence the bounds below (measured:
// JPEG max 8 / mean 0.72, WebP max 11 / mean 0.66; bounds about twice that).
class DecodeFormat : public ::testing::TestWithParam<FormatCase> {};

TEST_P(DecodeFormat, MatchesPillow) {
    const FormatCase& c = GetParam();
    const Image image = decode_image_file(image_fixture(c.file));
    EXPECT_EQ(image.width, c.width);
    EXPECT_EQ(image.height, c.height);
    EXPECT_EQ(image.name, image_fixture(c.file).string());
    const Difference d =
        compare(image, test::read_bytes(image_fixture(std::string(c.file) + ".rgb")));
    std::printf("%-18s max %3d mean %.3f\n", c.file, d.max, d.mean);
    EXPECT_LE(d.max, c.max_abs) << c.file;
    EXPECT_LE(d.mean, c.mean_abs) << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    Formats, DecodeFormat,
    ::testing::Values(FormatCase{"cat.png", 64, 48, 0, 0}, FormatCase{"cat.bmp", 64, 48, 0, 0},
                      FormatCase{"cat.tiff", 64, 48, 0, 0},
                      FormatCase{"cat_lossless.webp", 64, 48, 0, 0},
                      // First frame of a 2-frame GIF (the second is mirrored: a wrong frame fails).
                      FormatCase{"cat.gif", 64, 48, 0, 0},
                      // Alpha gradient composited on white; both sides round the same way.
                      FormatCase{"cat_rgba.png", 64, 48, 0, 0},
                      // Grayscale expands to R = G = B.
                      FormatCase{"gray.png", 40, 40, 0, 0}, FormatCase{"cat.jpg", 64, 48, 16, 1.5},
                      FormatCase{"cat_lossy.webp", 64, 48, 22, 1.5}),
    [](const auto& test_param) {
        std::string name = test_param.param.file;
        std::replace(name.begin(), name.end(), '.', '_');
        return name;
    });

TEST(Decode, MemoryEqualsFile) {
    for (const char* file :
         {"cat.png", "cat.jpg", "cat.gif", "cat_lossy.webp", "cat.tiff", "orient_6.jpg"}) {
        const Image from_file = decode_image_file(image_fixture(file));
        const Image from_memory =
            decode_image_memory(test::read_bytes(image_fixture(file)), "clipboard");
        EXPECT_EQ(from_memory.width, from_file.width) << file;
        EXPECT_EQ(from_memory.height, from_file.height) << file;
        EXPECT_EQ(from_memory.rgb, from_file.rgb) << file;
        EXPECT_EQ(from_memory.name, "clipboard");
    }
}

TEST(Decode, ContentWinsOverExtension) {
    const Image image = decode_image_file(image_fixture("png_named.jpg"));
    EXPECT_EQ(image.rgb, decode_image_file(image_fixture("cat.png")).rgb);
}

TEST(Decode, SampleImagesHaveTheirSizes) {
    for (const auto& sample : test::sample_images()) {
        const Image image = decode_image_file(test::sample_image(sample.name));
        EXPECT_EQ(image.width, sample.width) << sample.name;
        EXPECT_EQ(image.height, sample.height) << sample.name;
        EXPECT_EQ(image.rgb.size(), std::size_t(sample.width) * sample.height * 3) << sample.name;
    }
}

}  // namespace
}  // namespace prism::media
