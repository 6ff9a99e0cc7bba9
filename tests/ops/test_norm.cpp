#include "prism/ops/norm.hpp"

#include <optional>

#include "ops/reduction_mode.hpp"
#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

// f32 sums of up to 8192 squares in the shader (per-invocation partials, then a tree) against
// a double-precision reference: relative error of the scale ~ 1e-6; 1e-5 relative leaves
// margin, 1e-6 absolute covers outputs near zero (layer norm of values near the mean).
constexpr float kAtol = 1e-6f, kRtol = 1e-5f;

struct NormCase {
    Shape shape;
    bool shared_memory_reduction;
};

class NormOp : public GpuTest, public ::testing::WithParamInterface<NormCase> {};

TEST_P(NormOp, RmsAndLayerNormMatchCpu) {
    const auto [shape, shared_memory] = GetParam();
    std::optional<ops::detail::ForceSharedMemoryReduction> force;
    if (shared_memory) force.emplace();
    // Offset values: a row mean far from zero is what layer norm must remove.
    const auto x = random_tensor(shape, 41, -1.0f, 3.0f);
    const auto w = random_tensor({shape[0], 1, 1, 1}, 42, 0.5f, 1.5f);
    const auto b = random_tensor({shape[0], 1, 1, 1}, 43);
    auto gx = upload(x), gw = upload(w), gb = upload(b);
    auto rms = empty(TensorType::F32, shape), rms_w = empty(TensorType::F32, shape);
    auto ln = empty(TensorType::F32, shape), ln_wb = empty(TensorType::F32, shape);
    run([&](gpu::Recorder& rec) {
        ops::rms_norm(rec, gx, rms, 1e-6f);
        ops::rms_norm(rec, gx, rms_w, 1e-5f, &gw);
        ops::layer_norm(rec, gx, ln, 1e-5f);
        ops::layer_norm(rec, gx, ln_wb, 1e-6f, &gw, &gb);
    });
    EXPECT_TRUE(all_close(ops::cpu::rms_norm(x, 1e-6f), download(rms), kAtol, kRtol));
    EXPECT_TRUE(all_close(ops::cpu::rms_norm(x, 1e-5f, &w), download(rms_w), kAtol, kRtol));
    EXPECT_TRUE(all_close(ops::cpu::layer_norm(x, 1e-5f), download(ln), kAtol, kRtol));
    EXPECT_TRUE(all_close(ops::cpu::layer_norm(x, 1e-6f, &w, &b), download(ln_wb), kAtol, kRtol));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, NormOp,
    ::testing::Values(NormCase{{1, 1, 1, 1}, false}, NormCase{{7, 3, 1, 1}, false},
                      NormCase{{128, 6, 2, 1}, false}, NormCase{{1000, 5, 1, 1}, false},
                      NormCase{{8195, 3, 1, 1}, false}, NormCase{{1, 1, 1, 1}, true},
                      NormCase{{77, 4, 1, 2}, true}, NormCase{{8195, 3, 1, 1}, true}));

TEST_F(GpuTest, NormWorksOnPermutedViewsAndInPlace) {
    // x stored [5, 40]; the view [40, 5] has rows strided by 1 and elements strided by 5.
    const auto stored = random_tensor({5, 40, 1, 1}, 44, -2.0f, 2.0f);
    auto gs = upload(stored);
    const auto view = gs.permuted(1, 0, 2, 3);
    auto out = empty(TensorType::F32, {40, 5, 1, 1});
    run([&](gpu::Recorder& rec) { ops::rms_norm(rec, view, out, 1e-6f); });
    ops::HostTensor transposed({40, 5, 1, 1});
    for (int i1 = 0; i1 < 5; ++i1)
        for (int i0 = 0; i0 < 40; ++i0) transposed.at(i0, i1) = stored.at(i1, i0);
    const auto want = ops::cpu::rms_norm(transposed, 1e-6f);
    EXPECT_TRUE(all_close(want, download(out), kAtol, kRtol));

    const auto x = random_tensor({300, 4, 1, 1}, 45);
    auto gx = upload(x);
    run([&](gpu::Recorder& rec) { ops::layer_norm(rec, gx, gx, 1e-5f); });
    EXPECT_TRUE(all_close(ops::cpu::layer_norm(x, 1e-5f), download(gx), kAtol, kRtol));
}

TEST_F(GpuTest, NormRejectsBadWeights) {
    auto gx = upload(random_tensor({16, 2, 1, 1}, 1));
    auto out = empty(TensorType::F32, {16, 2, 1, 1});
    auto short_w = upload(random_tensor({8, 1, 1, 1}, 2));
    auto rec = ctx().record();
    EXPECT_THROW(ops::rms_norm(rec, gx, out, 1e-6f, &short_w), Error);
    EXPECT_THROW(ops::layer_norm(rec, gx, out, 1e-6f, nullptr, &short_w), Error);
    EXPECT_THROW(ops::rms_norm(rec, gx, out, -1.0f), Error);
}

}  // namespace
}  // namespace prism::test
