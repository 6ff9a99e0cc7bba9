#include "prism/ops/conv2d_patch.hpp"

#include <ostream>

#include "ops/weight_upload.hpp"
#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

struct PatchCase {
    std::int64_t w, h, c, patch, d, images;
    bool bias;
    TensorType type;
};

std::ostream& operator<<(std::ostream& os, const PatchCase& p) {
    return os << p.w << "x" << p.h << "x" << p.c << " P" << p.patch << " D" << p.d << " B"
              << p.images << (p.bias ? " bias " : " ") << tensor_type_name(p.type);
}

class Conv2dPatch : public GpuTest, public ::testing::WithParamInterface<PatchCase> {};

TEST_P(Conv2dPatch, MatchesCpu) {
    const auto c = GetParam();
    const auto image = random_tensor({c.w, c.h, c.c, c.images}, 11);
    const auto stored = store_weights(random_tensor({c.patch, c.patch, c.c, c.d}, 12), c.type);
    const auto bias = random_tensor({c.d, 1, 1, 1}, 13);
    const std::int64_t per_image = (c.w / c.patch) * (c.h / c.patch);

    auto gimage = upload(image);
    auto gweight = upload_raw(c.type, stored.values.ne, stored.bytes);
    auto gbias = upload(bias);
    auto out = empty(TensorType::F32, {c.d, per_image, c.images, 1});
    run([&](gpu::Recorder& rec) {
        ops::conv2d_patch(rec, gimage, gweight, c.bias ? &gbias : nullptr, out);
    });
    const auto expected = ops::cpu::conv2d_patch(image, stored.values, c.bias ? &bias : nullptr);
    // Each output sums K = P*P*C products of values in [-1, 1]. The GPU accumulates in f32 in
    // tile order, the reference in double; the f32 rounding error stays far below 1e-6 * K
    // (a misplaced pixel or weight shifts outputs by ~0.1..1).
    const float atol = 1e-6f * static_cast<float>(c.patch * c.patch * c.c);
    EXPECT_TRUE(all_close(expected, download(out), atol, 0));
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dPatch,
                         ::testing::Values(
                             // One patch, one channel, one output: the smallest problem.
                             PatchCase{2, 2, 1, 2, 1, 1, false, TensorType::F32},
                             PatchCase{1, 1, 3, 1, 5, 1, true, TensorType::F32},
                             // Non-square grid (3 x 2 patches), D not a multiple of the tile.
                             PatchCase{12, 8, 3, 4, 37, 1, true, TensorType::F32},
                             PatchCase{12, 8, 3, 4, 37, 1, true, TensorType::F16},
                             // Real patch sizes: K = 588 and 768, not multiples of the K tile.
                             PatchCase{56, 42, 3, 14, 40, 1, true, TensorType::F16},
                             PatchCase{48, 32, 3, 16, 20, 2, false, TensorType::F32},
                             // M, N >= 64 selects the 64 x 64 tiles; both edges ragged (65 and 77).
                             PatchCase{22, 14, 3, 2, 65, 1, true, TensorType::F32},
                             PatchCase{130, 66, 3, 2, 70, 1, true, TensorType::F16}),
                         [](const auto& param) { return "case" + std::to_string(param.index); });

TEST_F(GpuTest, Conv2dPatchReadsAnInterleavedImageThroughAView) {
    // Pixels stored RGBRGB... ([C, W, H]) and seen as planar [W, H, C] by permuting strides.
    const std::int64_t w = 8, h = 12, c = 3, p = 4, d = 9;
    const auto interleaved = random_tensor({c, w, h, 1}, 21);
    const auto weight = random_tensor({p, p, c, d}, 22);
    ops::HostTensor planar({w, h, c, 1});
    for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x)
            for (std::int64_t ch = 0; ch < c; ++ch) planar.at(x, y, ch) = interleaved.at(ch, x, y);

    auto gimage = upload(interleaved).permuted(2, 0, 1, 3);
    auto gweight = upload(weight);
    auto out = empty(TensorType::F32, {d, (w / p) * (h / p), 1, 1});
    run([&](gpu::Recorder& rec) { ops::conv2d_patch(rec, gimage, gweight, nullptr, out); });
    // Same bound as above: K = 48 products in [-1, 1].
    EXPECT_TRUE(all_close(ops::cpu::conv2d_patch(planar, weight, nullptr), download(out),
                          1e-6f * p * p * c, 0));
}

TEST_F(GpuTest, Conv2dPatchRejectsBadShapes) {
    auto image = upload(random_tensor({10, 8, 3, 1}, 1));  // 10 is not a multiple of 4
    auto weight = upload(random_tensor({4, 4, 3, 6}, 2));
    auto out = empty(TensorType::F32, {6, 4, 1, 1});
    auto rec = ctx().record();
    try {
        ops::conv2d_patch(rec, image, weight, nullptr, out);
        ADD_FAILURE() << "no error for a partial patch";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("conv2d_patch"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("whole number"), std::string::npos) << e.what();
    }
    auto image2 = upload(random_tensor({8, 8, 2, 1}, 3));  // 2 channels, weight wants 3
    EXPECT_THROW(ops::conv2d_patch(rec, image2, weight, nullptr, out), Error);
    auto image3 = upload(random_tensor({8, 8, 3, 1}, 4));
    auto bad_out = empty(TensorType::F32, {6, 5, 1, 1});
    EXPECT_THROW(ops::conv2d_patch(rec, image3, weight, nullptr, bad_out), Error);
    auto bad_bias = upload(random_tensor({5, 1, 1, 1}, 5));
    EXPECT_THROW(ops::conv2d_patch(rec, image3, weight, &bad_bias, out), Error);
    auto rect_weight = upload(random_tensor({4, 2, 3, 6}, 6));
    EXPECT_THROW(ops::conv2d_patch(rec, image3, rect_weight, nullptr, out), Error);
}

}  // namespace
}  // namespace prism::test
