#include "prism/ops/gated.hpp"

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

// The activation's bound (see test_unary.cpp: GPU exp/tanh and the erf approximation), times
// |up| <= 2 here, plus one rounding of the product: 2e-6 absolute + 1e-5 relative.
constexpr float kAtol = 2e-6f, kRtol = 1e-5f;

class GatedOp : public GpuTest,
                public ::testing::WithParamInterface<std::tuple<ops::Activation, Shape>> {};

TEST_P(GatedOp, SeparateAndFusedMatchCpu) {
    const auto [act, shape] = GetParam();
    const auto gate = random_tensor(shape, 31, -5.0f, 5.0f),
               up = random_tensor(shape, 32, -2.0f, 2.0f);
    const Shape fused_shape{2 * shape[0], shape[1], shape[2], shape[3]};
    const auto gate_up = random_tensor(fused_shape, 33, -5.0f, 5.0f);
    auto gg = upload(gate), gu = upload(up), ggu = upload(gate_up);
    auto out = empty(TensorType::F32, shape), fused_out = empty(TensorType::F32, shape);
    run([&](gpu::Recorder& rec) {
        ops::gated(rec, act, gg, gu, out);
        ops::gated_fused(rec, act, ggu, fused_out);
    });
    EXPECT_TRUE(all_close(ops::cpu::gated(act, gate, up), download(out), kAtol, kRtol));
    EXPECT_TRUE(all_close(ops::cpu::gated_fused(act, gate_up), download(fused_out), kAtol, kRtol));
}

INSTANTIATE_TEST_SUITE_P(
    All, GatedOp,
    ::testing::Combine(::testing::Values(ops::Activation::silu, ops::Activation::gelu,
                                         ops::Activation::gelu_erf, ops::Activation::gelu_quick),
                       ::testing::Values(Shape{1, 1, 1, 1}, Shape{300, 3, 1, 1},
                                         Shape{37, 2, 3, 2})));

TEST_F(GpuTest, GatedFusedHalvesAreGateThenUp) {
    // One row [g0, g1, u0, u1]: swiglu gives silu(g_i) * u_i; a swapped convention would not.
    ops::HostTensor gate_up({4, 1, 1, 1});
    gate_up.data = {1.0f, -2.0f, 3.0f, 0.5f};
    auto g = upload(gate_up);
    auto out = empty(TensorType::F32, {2, 1, 1, 1});
    run([&](gpu::Recorder& rec) { ops::gated_fused(rec, ops::Activation::silu, g, out); });
    const auto got = download(out);
    const float silu1 = 1.0f / (1.0f + std::exp(-1.0f)), silu_m2 = -2.0f / (1.0f + std::exp(2.0f));
    EXPECT_NEAR(got.data[0], silu1 * 3.0f, 1e-6f);  // GPU exp vs libm: a few ulp
    EXPECT_NEAR(got.data[1], silu_m2 * 0.5f, 1e-6f);
}

TEST_F(GpuTest, GatedRejectsBadShapes) {
    auto a = upload(random_tensor({6, 2, 1, 1}, 1)), b = upload(random_tensor({6, 3, 1, 1}, 2));
    auto out = empty(TensorType::F32, {6, 2, 1, 1}), odd = empty(TensorType::F32, {4, 2, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::gated(rec, ops::Activation::silu, a, b, out), Error);
    EXPECT_THROW(ops::gated_fused(rec, ops::Activation::silu, a, odd), Error);  // 6 != 2 * 4
}

}  // namespace
}  // namespace prism::test
