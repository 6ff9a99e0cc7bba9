// Output sizes and tile grids per family (mtmd's rules; sanity numbers of mtmd-spec.md §12).

#include <gtest/gtest.h>

#include <algorithm>

#include "media_test_data.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/media/resize.hpp"
#include "projector_preprocess.hpp"

namespace prism::media {
namespace {

constexpr std::array<float, 3> half = {0.5f, 0.5f, 0.5f};
constexpr std::array<float, 3> clip_mean = {0.48145466f, 0.4578275f, 0.40821073f};
constexpr std::array<float, 3> clip_std = {0.26862954f, 0.26130258f, 0.27577711f};

VisionPreprocess smolvlm() {
    return test::projector_preprocess("idefics3", 512, 2048, 16, 4, half, half);
}

TEST(PreprocessPlan, SmolVlmTilesPlusGlobal) {
    // Square photo: 4x4 tiles + global = 17 images; 4:3: 4 cols x 3 rows + 1 = 13.
    PreprocessPlan square = plan_preprocess(512, 512, smolvlm());
    EXPECT_EQ(square.tile_rows, 4);
    EXPECT_EQ(square.tile_cols, 4);
    EXPECT_EQ(square.images.size(), 17u);
    PreprocessPlan photo = plan_preprocess(640, 480, smolvlm());
    EXPECT_EQ(photo.tile_rows, 3);
    EXPECT_EQ(photo.tile_cols, 4);
    EXPECT_EQ(photo.images.size(), 13u);
    for (const ImageSize& size : photo.images) EXPECT_EQ(size, (ImageSize{512, 512}));
    // A tiny image is upscaled to the longest edge too (mtmd has no lower bound).
    EXPECT_EQ(plan_preprocess(10, 10, smolvlm()).images.size(), 17u);
}

TEST(PreprocessPlan, FixedAndDynamic) {
    const auto gemma = test::projector_preprocess("gemma3", 896, 0, 14, 4, half, half);
    EXPECT_EQ(plan_preprocess(640, 480, gemma).images, (std::vector<ImageSize>{{896, 896}}));
    EXPECT_EQ(gemma.filter, ResizeFilter::bilinear);
    const auto llava = test::projector_preprocess("mlp", 336, 0, 14, 0, clip_mean, clip_std);
    EXPECT_EQ(plan_preprocess(640, 480, llava).images, (std::vector<ImageSize>{{336, 336}}));
    EXPECT_EQ(llava.pad_color, (std::array<std::uint8_t, 3>{122, 116, 104}));
    const auto qwen =
        test::projector_preprocess("qwen2.5vl_merger", 0, 0, 14, 2, clip_mean, clip_std);
    EXPECT_EQ(qwen.align, 28);
    EXPECT_EQ(qwen.min_pixels, 8 * 784);
    EXPECT_EQ(qwen.max_pixels, 4096 * 784);
    EXPECT_EQ(plan_preprocess(640, 480, qwen).images, (std::vector<ImageSize>{{644, 476}}));
    EXPECT_EQ(plan_preprocess(640, 480, qwen).tile_rows, 0);
}

TEST(PreprocessPlan, BadConfigurationsAreErrors) {
    VisionPreprocess broken = smolvlm();
    broken.image_size = 0;
    EXPECT_THROW(plan_preprocess(640, 480, broken), Error);
    VisionPreprocess dynamic =
        test::projector_preprocess("qwen2vl_merger", 0, 0, 14, 2, half, half);
    dynamic.min_pixels = 0;
    EXPECT_THROW(plan_preprocess(640, 480, dynamic), Error);
    EXPECT_THROW(plan_preprocess(0, 480, smolvlm()), Error);
}

// Values from a damaged mmproj (found by tests/fuzz/fuzz_mmproj) are refused before any size
// is computed from them: the products overflowed 32 and 64 bits, and a 2^31-pixel longest edge
// in 16-pixel tiles would have planned 2^54 tiles.
TEST(PreprocessPlan, SizesBeyondAnyModelAreRefused) {
    VisionPreprocess long_edge = smolvlm();
    long_edge.longest_edge = 2147483647;
    EXPECT_THROW(plan_preprocess(640, 480, long_edge), Error);
    VisionPreprocess many_tiles = smolvlm();
    many_tiles.image_size = 16;  // 2048 / 16 = 128 tiles a side
    EXPECT_THROW(plan_preprocess(640, 480, many_tiles), Error);
    VisionPreprocess huge_tile = smolvlm();
    huge_tile.image_size = 1 << 20;
    EXPECT_THROW(plan_preprocess(640, 480, huge_tile), Error);
    VisionPreprocess qwen =
        test::projector_preprocess("qwen2vl_merger", 0, 0, 67108866, 2, half, half);
    EXPECT_THROW(plan_preprocess(640, 480, qwen), Error);
    qwen = test::projector_preprocess("qwen2vl_merger", 0, 0, 14, 2, half, half);
    qwen.max_pixels = std::int64_t{1} << 40;
    EXPECT_THROW(plan_preprocess(640, 480, qwen), Error);
    // Large real values still plan: 6 tiles a side (the most SmolVLM's <row_6_col_6> markers
    // name), Qwen at 16384 tokens.
    VisionPreprocess six = test::projector_preprocess("idefics3", 384, 2304, 14, 3, half, half);
    EXPECT_EQ(plan_preprocess(4000, 3000, six).tile_cols, 6);
    qwen.max_pixels = 16384 * 784;
    EXPECT_NO_THROW(plan_preprocess(8000, 6000, qwen));
}

TEST(Preprocess, OutputsAgreeWithThePlan) {
    Image image;
    image.width = 40;
    image.height = 30;
    image.name = "gradient";
    for (int y = 0; y < 30; ++y) {
        for (int x = 0; x < 40; ++x) {
            image.rgb.insert(image.rgb.end(), {std::uint8_t(x * 6), std::uint8_t(y * 8), 128});
        }
    }
    for (const VisionPreprocess& config :
         {test::projector_preprocess("idefics3", 64, 128, 16, 4, half, half),
          test::projector_preprocess("gemma3", 56, 0, 14, 4, half, half),
          test::projector_preprocess("qwen2vl_merger", 0, 0, 14, 2, clip_mean, clip_std),
          test::projector_preprocess("mlp", 42, 0, 14, 0, clip_mean, clip_std)}) {
        const PreprocessPlan plan = plan_preprocess(40, 30, config);
        const PreprocessedImage out = preprocess(image, config);
        EXPECT_EQ(out.tile_rows, plan.tile_rows);
        EXPECT_EQ(out.tile_cols, plan.tile_cols);
        ASSERT_EQ(out.images.size(), plan.images.size());
        for (std::size_t i = 0; i < plan.images.size(); ++i) {
            EXPECT_EQ(out.images[i].width, plan.images[i].width);
            EXPECT_EQ(out.images[i].height, plan.images[i].height);
            EXPECT_EQ(out.images[i].data.size(),
                      std::size_t(plan.images[i].width) * plan.images[i].height * 3);
        }
    }
    // idefics3 with 64-pixel tiles and longest edge 128: 2 x 2 tiles (40x30 -> 128x96 -> 128x128).
    const auto tiled =
        preprocess(image, test::projector_preprocess("idefics3", 64, 128, 16, 4, half, half));
    EXPECT_EQ(tiled.tile_rows, 2);
    EXPECT_EQ(tiled.tile_cols, 2);
    // The refined image is letterboxed: 128x96 content centred in 128x128, black bars of 16
    // rows; the first tile's top row is padding, i.e. (0 - 0.5) / 0.5 = -1 in every plane.
    const PlanarImage& first = tiled.images[0];
    for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(first.data[std::size_t(c) * 64 * 64], -1.0f);
}

}  // namespace
}  // namespace prism::media

namespace prism::media {
namespace {

TEST(Preprocess, SampleImagesForEveryFamily) {
    const std::vector<VisionPreprocess> families = {
        smolvlm(), test::projector_preprocess("gemma3", 896, 0, 14, 4, half, half),
        test::projector_preprocess("qwen2.5vl_merger", 0, 0, 14, 2, clip_mean, clip_std),
        test::projector_preprocess("mlp", 336, 0, 14, 0, clip_mean, clip_std)};
    // Plans for every sample image: every output has at least one pixel and Qwen's sides are
    // multiples of 28 within the token bounds.
    for (const auto& sample : test::sample_images()) {
        for (const VisionPreprocess& config : families) {
            const PreprocessPlan plan = plan_preprocess(sample.width, sample.height, config);
            ASSERT_FALSE(plan.images.empty()) << sample.name;
            for (const ImageSize& size : plan.images) {
                EXPECT_GT(size.width, 0) << sample.name;
                EXPECT_GT(size.height, 0) << sample.name;
            }
            if (config.kind == VisionPreprocess::Kind::dynamic_size) {
                const ImageSize size = plan.images.front();
                EXPECT_EQ(size.width % 28, 0) << sample.name;
                EXPECT_EQ(size.height % 28, 0) << sample.name;
                EXPECT_GE(std::int64_t(size.width) * size.height, config.min_pixels) << sample.name;
                EXPECT_LE(std::int64_t(size.width) * size.height, config.max_pixels) << sample.name;
            }
        }
    }
    // Pixels for the page scan (384x191, a letterboxed aspect ratio everywhere): all finite and
    // within the normalized range of u8 inputs.
    const Image page = decode_image_file(test::sample_image("page.png"));
    for (const VisionPreprocess& config : families) {
        const PreprocessedImage out = preprocess(page, config);
        for (const PlanarImage& image : out.images) {
            for (std::size_t c = 0; c < 3; ++c) {
                const float low = (0.0f - config.mean[c]) / config.std[c];
                const float high = (1.0f - config.mean[c]) / config.std[c];
                const std::size_t plane = std::size_t(image.width) * image.height;
                const auto [lo, hi] =
                    std::minmax_element(image.data.begin() + std::ptrdiff_t(c * plane),
                                        image.data.begin() + std::ptrdiff_t((c + 1) * plane));
                EXPECT_GE(*lo, low - 1e-5f);
                EXPECT_LE(*hi, high + 1e-5f);
            }
        }
    }
}

}  // namespace
}  // namespace prism::media
