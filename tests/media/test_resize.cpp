// mtmd's resize primitives on tiny synthetic images, against values computed by hand from
// llama.cpp's formulas (tools/mtmd/mtmd-image.cpp, img_tool).

#include <gtest/gtest.h>

#include "prism/media/resize.hpp"

namespace prism::media {
namespace {

// A gray image (R = G = B) from row-major values.
Image gray(std::int32_t width, std::int32_t height, std::vector<std::uint8_t> values) {
    Image image;
    image.width = width;
    image.height = height;
    image.name = "synthetic";
    for (std::uint8_t v : values) image.rgb.insert(image.rgb.end(), {v, v, v});
    return image;
}

std::vector<std::uint8_t> red_channel(const Image& image) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < image.rgb.size(); i += 3) out.push_back(image.rgb[i]);
    return out;
}

TEST(ResizeBilinear, DownscaleSamplesCornerAnchoredAndTruncates) {
    // x_ratio = (3-1)/2 = 1, y_ratio = (2-1)/2 = 0.5: the second row is halfway between source
    // rows; 20 + (61-20)*0.5 = 40.5 truncates to 40.
    const Image out = resize(gray(3, 2, {10, 20, 30, 50, 61, 70}), 2, 2, ResizeFilter::bilinear);
    EXPECT_EQ(red_channel(out), (std::vector<std::uint8_t>{10, 20, 30, 40}));
}

TEST(ResizeBilinear, UpscaleNeverReachesTheLastSourceColumn) {
    // ratio (2-1)/4 = 0.25: samples at 0, .25, .5, .75 of the way from pixel 0 to pixel 1.
    const Image out = resize(gray(2, 2, {0, 100, 100, 200}), 4, 4, ResizeFilter::bilinear);
    EXPECT_EQ(red_channel(out), (std::vector<std::uint8_t>{0, 25, 50, 75,     //
                                                           25, 50, 75, 100,   //
                                                           50, 75, 100, 125,  //
                                                           75, 100, 125, 150}));
}

TEST(ResizeBilinear, OnePixelSideRepeats) {
    // mtmd asserts on sources narrower than 2; Prism repeats the single column instead.
    const Image out = resize(gray(1, 2, {40, 80}), 3, 2, ResizeFilter::bilinear);
    EXPECT_EQ(red_channel(out), (std::vector<std::uint8_t>{40, 40, 40, 60, 60, 60}));
}

TEST(ResizeBicubic, ReproducesARampAwayFromTheEdges) {
    // The cubic through 4 collinear samples is the line itself; tx = 4/8 = 0.5, so output j
    // samples source x = j/2. Outputs next to the clamped edges (j = 1, 5, 7) are not lines.
    const Image out = resize(gray(4, 1, {0, 40, 80, 120}), 8, 1, ResizeFilter::bicubic);
    const auto r = red_channel(out);
    EXPECT_EQ(r[0], 0);
    EXPECT_EQ(r[2], 40);
    EXPECT_EQ(r[3], 60);
    EXPECT_EQ(r[4], 80);
    EXPECT_EQ(r[6], 120);
}

TEST(ResizeBicubic, ConstantStaysConstantAndClamps) {
    const Image flat =
        resize(gray(3, 3, std::vector<std::uint8_t>(9, 77)), 7, 5, ResizeFilter::bicubic);
    for (std::uint8_t v : flat.rgb) EXPECT_EQ(v, 77);
    // A step overshoots (cubic ringing); results are clamped to 0..255.
    const Image step = resize(gray(4, 1, {0, 0, 255, 255}), 16, 1, ResizeFilter::bicubic);
    for (std::uint8_t v : step.rgb) EXPECT_LE(v, 255);
}

TEST(ResizeLetterbox, CentresTheFittedImageOnThePadColour) {
    EXPECT_EQ(letterbox_inner_size(640, 480, 896, 896), (ImageSize{896, 672}));
    EXPECT_EQ(letterbox_inner_size(644, 476, 644, 476), (ImageSize{644, 476}));
    // 4x2 into 4x4: inner 4x2 at y offset 1; rows 0 and 3 are padding.
    const Image src = gray(4, 2, {10, 20, 30, 40, 50, 60, 70, 80});
    const Image out = resize_letterbox(src, 4, 4, ResizeFilter::bilinear, {122, 116, 104});
    ASSERT_EQ(out.width, 4);
    ASSERT_EQ(out.height, 4);
    for (int x = 0; x < 4; ++x) {
        for (int y : {0, 3}) {
            const std::uint8_t* px = &out.rgb[(std::size_t(y) * 4 + x) * 3];
            EXPECT_EQ(px[0], 122);
            EXPECT_EQ(px[1], 116);
            EXPECT_EQ(px[2], 104);
        }
    }
    // mtmd resamples the inner image even at the same size: x ratio (4-1)/4 = 0.75, y 0.5.
    // Row 1 = source row 0 at x = 0, .75, 1.5, 2.25 -> 10, 17.5, 25, 32.5 truncated.
    EXPECT_EQ(out.rgb[(1 * 4 + 0) * 3], 10);
    EXPECT_EQ(out.rgb[(1 * 4 + 1) * 3], 17);
    EXPECT_EQ(out.rgb[(1 * 4 + 2) * 3], 25);
    EXPECT_EQ(out.rgb[(1 * 4 + 3) * 3], 32);
    // An image already at the target size is returned as is.
    EXPECT_EQ(resize_letterbox(src, 4, 2, ResizeFilter::bicubic, {}).rgb, src.rgb);
}

TEST(Crop, TakesTheWindowAndRefusesOutside) {
    const Image src = gray(3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(red_channel(crop(src, 1, 1, 2, 2)), (std::vector<std::uint8_t>{5, 6, 8, 9}));
    EXPECT_THROW(crop(src, 2, 2, 2, 1), Error);
}

TEST(Normalize, PlanarAndScaled) {
    Image image;
    image.width = 2;
    image.height = 1;
    image.rgb = {255, 0, 51, 0, 255, 102};
    const PlanarImage out = normalize(image, {0.5f, 0.5f, 0.0f}, {0.5f, 0.5f, 0.2f});
    ASSERT_EQ(out.data.size(), 6u);
    EXPECT_FLOAT_EQ(out.data[0], 1.0f);   // R (0,0)
    EXPECT_FLOAT_EQ(out.data[1], -1.0f);  // R (1,0)
    EXPECT_FLOAT_EQ(out.data[2], -1.0f);  // G (0,0)
    EXPECT_FLOAT_EQ(out.data[3], 1.0f);   // G (1,0)
    EXPECT_FLOAT_EQ(out.data[4], 1.0f);   // B: 51/255/0.2
    EXPECT_FLOAT_EQ(out.data[5], 2.0f);
}

TEST(SmartResize, MatchesTransformersSmartResize) {
    // (w, h) -> transformers' qwen2_vl smart_resize(h, w, 28, 8*784, 4096*784), transposed.
    const std::int64_t min_pixels = 8 * 784, max_pixels = 4096 * 784;
    EXPECT_EQ(smart_resize_size(640, 480, 28, min_pixels, max_pixels), (ImageSize{644, 476}));
    EXPECT_EQ(smart_resize_size(512, 512, 28, min_pixels, max_pixels), (ImageSize{504, 504}));
    EXPECT_EQ(smart_resize_size(4000, 3000, 28, min_pixels, max_pixels), (ImageSize{2044, 1540}));
    EXPECT_EQ(smart_resize_size(20, 20, 28, min_pixels, max_pixels), (ImageSize{84, 84}));
    EXPECT_EQ(smart_resize_size(384, 191, 28, min_pixels, max_pixels), (ImageSize{392, 196}));
}

TEST(LongestEdge, RoundsUpToWholeTiles) {
    EXPECT_EQ(longest_edge_size(640, 480, 512, 2048), (ImageSize{2048, 1536}));
    EXPECT_EQ(longest_edge_size(451, 300, 512, 2048), (ImageSize{2048, 1536}));
    EXPECT_EQ(longest_edge_size(533, 800, 512, 2048), (ImageSize{1536, 2048}));
    EXPECT_EQ(longest_edge_size(512, 512, 512, 2048), (ImageSize{2048, 2048}));
    EXPECT_EQ(longest_edge_size(3000, 20, 512, 2048), (ImageSize{2048, 512}));
}

}  // namespace
}  // namespace prism::media
