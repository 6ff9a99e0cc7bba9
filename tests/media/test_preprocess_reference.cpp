// Prism's preprocessing (mtmd's rules) against transformers' image processors on the sample
// images (summaries in tests/data/images/preprocess_references.txt, made by
// tools/make_image_references.py): sizes and tile grids exactly; pixels through per-image
// channel means and an 8x8 average-pooled grid, where mtmd does not letterbox.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "media_test_data.hpp"
#include "prism/media/image_preprocess.hpp"
#include "projector_preprocess.hpp"

namespace prism::media {
namespace {

struct ImageSummary {
    int width = 0, height = 0;
    std::array<double, 3> mean{};
    std::vector<double> pool;  // [3][8][8]
};

struct ReferenceCase {
    std::string family, image;
    bool compare_pixels = false;
    int tile_rows = 0, tile_cols = 0;
    std::vector<ImageSummary> images;
};

std::vector<ReferenceCase> load_references() {
    std::ifstream file(test::image_fixture("preprocess_references.txt"));
    std::vector<ReferenceCase> cases;
    std::string line;
    while (std::getline(file, line)) {
        std::istringstream in(line);
        std::string tag;
        in >> tag;
        if (tag == "case") {
            ReferenceCase c;
            int compare = 0, n_images = 0;
            in >> c.family >> c.image >> compare >> n_images >> c.tile_rows >> c.tile_cols;
            c.compare_pixels = compare != 0;
            cases.push_back(c);
        } else if (tag == "size") {
            cases.back().images.emplace_back();
            in >> cases.back().images.back().width >> cases.back().images.back().height;
        } else if (tag == "mean") {
            for (double& m : cases.back().images.back().mean) in >> m;
        } else if (tag == "pool") {
            auto& pool = cases.back().images.back().pool;
            pool.resize(192);
            for (double& v : pool) in >> v;
        }
    }
    return cases;
}

ImageSummary summarize(const PlanarImage& image) {
    ImageSummary s;
    s.width = image.width;
    s.height = image.height;
    s.pool.assign(192, 0.0);
    const std::size_t w = std::size_t(image.width), h = std::size_t(image.height);
    for (std::size_t c = 0; c < 3; ++c) {
        const float* plane = image.data.data() + c * w * h;
        double total = 0;
        for (std::size_t i = 0; i < w * h; ++i) total += plane[i];
        s.mean[c] = total / double(w * h);
        for (std::size_t gy = 0; gy < 8; ++gy) {
            for (std::size_t gx = 0; gx < 8; ++gx) {
                double sum = 0;
                std::size_t count = 0;
                for (std::size_t y = gy * h / 8; y < (gy + 1) * h / 8; ++y) {
                    for (std::size_t x = gx * w / 8; x < (gx + 1) * w / 8; ++x, ++count)
                        sum += plane[y * w + x];
                }
                s.pool[c * 64 + gy * 8 + gx] = sum / double(count);
            }
        }
    }
    return s;
}

VisionPreprocess config_for(const std::string& family) {
    constexpr std::array<float, 3> half = {0.5f, 0.5f, 0.5f};
    constexpr std::array<float, 3> clip_mean = {0.48145466f, 0.4578275f, 0.40821073f};
    constexpr std::array<float, 3> clip_std = {0.26862954f, 0.26130258f, 0.27577711f};
    if (family == "idefics3")
        return test::projector_preprocess("idefics3", 512, 2048, 16, 4, half, half);
    if (family == "gemma3") return test::projector_preprocess("gemma3", 896, 0, 14, 4, half, half);
    if (family == "qwen")
        return test::projector_preprocess("qwen2.5vl_merger", 0, 0, 14, 2, clip_mean, clip_std);
    return test::projector_preprocess("mlp", 336, 0, 14, 0, clip_mean, clip_std);
}

// Normalized units (mean/std 0.5: 1.0 = 127.5 gray levels; CLIP std ~0.27: 1.0 = ~69 levels).
// HF resamples with antialiased filters (torchvision bilinear / bicubic / Lanczos-like), mtmd
// with plain bilinear / cubic interpolation without antialiasing and with corner-anchored
// (bilinear) or top-left (bicubic) sample positions, and HF's idefics3 resizes twice
// (longest edge, then tiles) where mtmd resizes once. Block averages over 1/64 of an image
// hide most of that; what is left is a sub-pixel shift of edges inside a block.
// Measured worst cases (idefics3 dog / camera, gemma3, qwen, llava on camera): channel means
// 0.0078, pooled blocks 0.056; the bounds leave about 2x.
constexpr double mean_tolerance = 0.02;
constexpr double pool_tolerance = 0.12;

TEST(PreprocessReference, MatchesTransformers) {
    const auto cases = load_references();
    ASSERT_EQ(cases.size(), 8u);
    for (const ReferenceCase& ref : cases) {
        SCOPED_TRACE(ref.family + " " + ref.image);
        const Image image = decode_image_file(test::sample_image(ref.image));
        if (!ref.compare_pixels) {
            // HF stretches where mtmd letterboxes: only the sizes are comparable (and computing
            // the pixels would only cost time; Preprocess.OutputsAgreeWithThePlan ties the two).
            const PreprocessPlan plan =
                plan_preprocess(image.width, image.height, config_for(ref.family));
            EXPECT_EQ(plan.tile_rows, ref.tile_rows);
            EXPECT_EQ(plan.tile_cols, ref.tile_cols);
            ASSERT_EQ(plan.images.size(), ref.images.size());
            for (std::size_t i = 0; i < plan.images.size(); ++i) {
                EXPECT_EQ(plan.images[i], (ImageSize{ref.images[i].width, ref.images[i].height}))
                    << i;
            }
            continue;
        }
        const PreprocessedImage out = preprocess(image, config_for(ref.family));
        EXPECT_EQ(out.tile_rows, ref.tile_rows);
        EXPECT_EQ(out.tile_cols, ref.tile_cols);
        ASSERT_EQ(out.images.size(), ref.images.size());
        double worst_mean = 0, worst_pool = 0, sum_pool = 0;
        for (std::size_t i = 0; i < ref.images.size(); ++i) {
            const ImageSummary got = summarize(out.images[i]);
            EXPECT_EQ(got.width, ref.images[i].width) << "image " << i;
            EXPECT_EQ(got.height, ref.images[i].height) << "image " << i;
            for (int c = 0; c < 3; ++c)
                worst_mean = std::max(worst_mean, std::abs(got.mean[c] - ref.images[i].mean[c]));
            for (std::size_t k = 0; k < 192; ++k) {
                const double d = std::abs(got.pool[k] - ref.images[i].pool[k]);
                worst_pool = std::max(worst_pool, d);
                sum_pool += d;
            }
        }
        std::printf("%-9s %-26s mean diff %.4f  pool max %.4f avg %.4f\n", ref.family.c_str(),
                    ref.image.c_str(), worst_mean, worst_pool,
                    sum_pool / double(192 * ref.images.size()));
        EXPECT_LE(worst_mean, mean_tolerance);
        EXPECT_LE(worst_pool, pool_tolerance);
    }
}

}  // namespace
}  // namespace prism::media
