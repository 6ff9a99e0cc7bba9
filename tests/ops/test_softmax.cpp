#include "prism/ops/softmax.hpp"

#include <limits>
#include <optional>

#include "ops/reduction_mode.hpp"
#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

// f32 exp and sums of up to 1504 terms in the shader against a double-precision reference:
// measured errors stay below 1e-6 relative; 1e-5 leaves margin, 1e-7 absolute covers the
// tiny probabilities of far-below-max scores.
constexpr float kAtol = 1e-7f, kRtol = 1e-5f;

struct SoftmaxCase {
    Shape shape;
    float scale;
    std::int64_t valid;
    bool shared_memory_reduction;
};

class SoftmaxOp : public GpuTest, public ::testing::WithParamInterface<SoftmaxCase> {};

TEST_P(SoftmaxOp, MatchesCpu) {
    // A copy, not a structured binding: the lambda below captures its fields (clang 14 can't
    // capture a binding).
    const SoftmaxCase c = GetParam();
    const Shape shape = c.shape;
    const float scale = c.scale;
    const std::int64_t valid = c.valid;
    const bool shared_memory = c.shared_memory_reduction;
    std::optional<ops::detail::ForceSharedMemoryReduction> force;
    if (shared_memory) force.emplace();
    // Scores far from zero: the shader must subtract the row's maximum to stay finite.
    const auto x = random_tensor(shape, 51, 20.0f, 60.0f);
    auto gx = upload(x);
    auto out = empty(TensorType::F32, shape);
    run([&](gpu::Recorder& rec) { ops::softmax(rec, gx, out, scale, valid); });
    const auto want = ops::cpu::softmax(x, scale, valid);
    EXPECT_TRUE(all_close(want, download(out), kAtol, kRtol));
    // Every row sums to 1 over its valid values, and the masked tail is exactly 0.
    const auto got = download(out);
    const std::int64_t n = valid == 0 ? shape[0] : valid;
    for (std::int64_t r = 0; r < shape[1] * shape[2] * shape[3]; ++r) {
        double sum = 0;
        for (std::int64_t i = 0; i < shape[0]; ++i) {
            const float v = got.data[static_cast<std::size_t>(r * shape[0] + i)];
            if (i >= n) {
                EXPECT_EQ(v, 0.0f);
            }
            sum += v;
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, SoftmaxOp,
                         ::testing::Values(SoftmaxCase{{1, 1, 1, 1}, 1.0f, 0, false},
                                           SoftmaxCase{{37, 5, 1, 1}, 0.125f, 0, false},
                                           SoftmaxCase{{1504, 6, 1, 1}, 0.125f, 1500, false},
                                           SoftmaxCase{{200, 3, 2, 1}, 0.5f, 77, true},
                                           SoftmaxCase{{1504, 2, 1, 1}, 0.125f, 0, true}));

TEST_F(GpuTest, SoftmaxWorksOnStridedViewsAndInPlace) {
    // Rows of a [40, 5] view read from storage [5, 40] (elements strided by 5).
    const auto stored = random_tensor({5, 40, 1, 1}, 52, -4.0f, 4.0f);
    auto gs = upload(stored);
    auto out = empty(TensorType::F32, {40, 5, 1, 1});
    run([&](gpu::Recorder& rec) { ops::softmax(rec, gs.permuted(1, 0, 2, 3), out, 2.0f); });
    ops::HostTensor transposed({40, 5, 1, 1});
    for (int i1 = 0; i1 < 5; ++i1)
        for (int i0 = 0; i0 < 40; ++i0) transposed.at(i0, i1) = stored.at(i1, i0);
    EXPECT_TRUE(all_close(ops::cpu::softmax(transposed, 2.0f), download(out), kAtol, kRtol));

    const auto x = random_tensor({300, 4, 1, 1}, 53);
    auto gx = upload(x);
    run([&](gpu::Recorder& rec) { ops::softmax(rec, gx, gx, 1.0f, 250); });
    EXPECT_TRUE(all_close(ops::cpu::softmax(x, 1.0f, 250), download(gx), kAtol, kRtol));
}

TEST_F(GpuTest, SoftmaxRejectsBadArguments) {
    auto gx = upload(random_tensor({16, 2, 1, 1}, 1));
    auto out = empty(TensorType::F32, {16, 2, 1, 1});
    auto other = empty(TensorType::F32, {8, 2, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::softmax(rec, gx, other), Error);
    EXPECT_THROW(ops::softmax(rec, gx, out, 1.0f, 17), Error);
    EXPECT_THROW(ops::softmax(rec, gx, out, 1.0f, -1), Error);
    EXPECT_THROW(ops::softmax(rec, gx, out, std::numeric_limits<float>::infinity()), Error);
}

}  // namespace
}  // namespace prism::test
