#include "prism/ops/gated.hpp"

#include <tuple>

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

TEST_P(GatedOp, MatchesCpu) {
    // Named copies, not a structured binding: lambdas capture them (clang 14 can't capture a
    // binding).
    const ops::Activation act = std::get<0>(GetParam());
    const Shape shape = std::get<1>(GetParam());
    const auto gate = random_tensor(shape, 31, -5.0f, 5.0f),
               up = random_tensor(shape, 32, -2.0f, 2.0f);
    auto gg = upload(gate), gu = upload(up);
    auto out = empty(TensorType::F32, shape);
    run([&](gpu::Recorder& rec) { ops::gated(rec, act, gg, gu, out); });
    EXPECT_TRUE(all_close(ops::cpu::gated(act, gate, up), download(out), kAtol, kRtol));
}

INSTANTIATE_TEST_SUITE_P(
    All, GatedOp,
    ::testing::Combine(::testing::Values(ops::Activation::silu, ops::Activation::gelu,
                                         ops::Activation::gelu_erf, ops::Activation::gelu_quick),
                       ::testing::Values(Shape{1, 1, 1, 1}, Shape{300, 3, 1, 1},
                                         Shape{37, 2, 3, 2})));

TEST_F(GpuTest, GatedRejectsBadShapes) {
    auto a = upload(random_tensor({6, 2, 1, 1}, 1)), b = upload(random_tensor({6, 3, 1, 1}, 2));
    auto out = empty(TensorType::F32, {6, 2, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::gated(rec, ops::Activation::silu, a, b, out), Error);
}

}  // namespace
}  // namespace prism::test
