// Every real image of tests/data/sample-images through decode, the mmproj's preprocessing and the
// encoder, for every projector type (the tiny transformers fixtures' mmprojs): no error, the
// planned sizes are what preprocessing makes, each encoder input gives the number of rows the
// prompt layout reserves for it, and the rows are finite. The weights are random, so values
// are not compared here (test_vision_encoder does that on the fixtures' own pixels). Qwen's
// dynamic size is capped at 128 merged tokens per image (see below) to keep the test fast.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "media/media_test_data.hpp"
#include "prism/gguf.hpp"
#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/vision_encoder.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

// Rows per encoder input, from the image's size alone: (W/patch)(H/patch) patches, reduced by
// the projector's merge (idefics3: pixel shuffle by the scale factor; gemma3: average pool by
// the scale factor; qwen: 2x2 merge; mlp: none, the class token dropped).
std::int64_t expected_rows(const models::VisionHParams& h, const media::ImageSize& size) {
    const std::int64_t px = size.width / h.patch_size, py = size.height / h.patch_size;
    switch (h.projector) {
        case models::ProjectorType::idefics3:
        case models::ProjectorType::gemma3:
            return (px / h.scale_factor) * (py / h.scale_factor);
        case models::ProjectorType::qwen25vl:
        case models::ProjectorType::qwen2vl:
            return (px / h.spatial_merge) * (py / h.spatial_merge);
        case models::ProjectorType::mlp:
            return px * py;
        case models::ProjectorType::ultravox:  // audio rows: no image comes here
        case models::ProjectorType::qwen2a:
        case models::ProjectorType::voxtral:
        case models::ProjectorType::qwen25o:
            break;
    }
    return -1;
}

class VisionAllImages : public GpuTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(VisionAllImages, DecodePreprocessEncode) {
    const fs::path data(PRISM_TEST_DATA_DIR);
    const fs::path mmproj_path = data / GetParam() / "mmproj.gguf";
    const auto mmproj = gguf::File::open(mmproj_path);
    models::VisionEncoder encoder(ctx(), mmproj);
    const models::VisionHParams& h = encoder.hparams();
    media::VisionPreprocess config = h.preprocess;
    if (config.kind == media::VisionPreprocess::Kind::dynamic_size) {
        // Qwen's default bounds (up to 4096 tokens) give these photos 98-551 merged tokens
        // (up to 2204 patches): 16 s (qwen2.5vl) and 24 s (qwen2vl) on lavapipe for the seven.
        // The cap a user sets with clip.vision.image_max_pixels (128 tokens here) keeps the
        // test fast; page.png (98 tokens) still runs at its own size, the others are scaled
        // down by the same smart-resize rule.
        config.max_pixels = 128LL * config.align * config.align;
    }

    for (const SampleImage& sample : sample_images()) {
        SCOPED_TRACE(sample.name);
        const auto t0 = std::chrono::steady_clock::now();
        const media::Image image = media::decode_image_file(sample_image(sample.name));
        ASSERT_EQ(image.width, sample.width);
        ASSERT_EQ(image.height, sample.height);

        const media::PreprocessPlan plan =
            media::plan_preprocess(image.width, image.height, config);
        const media::PreprocessedImage pre = media::preprocess(image, config);
        ASSERT_EQ(pre.images.size(), plan.images.size());
        EXPECT_EQ(pre.tile_rows, plan.tile_rows);
        EXPECT_EQ(pre.tile_cols, plan.tile_cols);
        if (h.projector == models::ProjectorType::idefics3) {
            // Tiles then the global image (one image alone when it fits a single tile).
            EXPECT_EQ(pre.images.size(),
                      static_cast<std::size_t>(pre.tile_rows * pre.tile_cols) + 1u);
        } else {
            EXPECT_EQ(pre.images.size(), 1u);
        }

        std::int64_t rows = 0;
        for (std::size_t i = 0; i < pre.images.size(); ++i) {
            SCOPED_TRACE("encoder input " + std::to_string(i));
            const media::PlanarImage& input = pre.images[i];
            ASSERT_EQ((media::ImageSize{input.width, input.height}), plan.images[i]);
            const std::int64_t expected = expected_rows(h, plan.images[i]);
            ASSERT_GT(expected, 0);
            EXPECT_EQ(encoder.tokens_for(input), expected);

            const models::ImageEmbeddings out = encoder.encode(input);
            ASSERT_EQ(out.tensor.ne[0], h.output_dim);
            ASSERT_EQ(out.tensor.ne[1], expected);
            const ops::HostTensor host = download(out.tensor);
            std::size_t not_finite = 0;
            for (float v : host.data) not_finite += std::isfinite(v) ? 0 : 1;
            EXPECT_EQ(not_finite, 0u);
            rows += expected;
        }
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        // How big each image gets per projector (Qwen's dynamic size is the expensive one).
        std::printf("[ %-16s ] %-40s %dx%d -> %zu inputs, %lld rows, %.0f ms\n", GetParam().c_str(),
                    sample.name, image.width, image.height, pre.images.size(),
                    static_cast<long long>(rows), ms);
    }
}

INSTANTIATE_TEST_SUITE_P(Projectors, VisionAllImages,
                         ::testing::Values("vlm/smolvlm", "vlm/gemma3", "vlm/qwen25vl", "vlm/llava",
                                           "vision/qwen2vl"),
                         [](const auto& param_info) {
                             std::string name = param_info.param;
                             return name.substr(name.find('/') + 1);
                         });

}  // namespace
}  // namespace prism::test
