#include "prism/ops/unary.hpp"

#include <cmath>
#include <limits>
#include <tuple>

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

const char* name_of(ops::Activation act) {
    switch (act) {
        case ops::Activation::silu:
            return "silu";
        case ops::Activation::gelu:
            return "gelu";
        case ops::Activation::gelu_erf:
            return "gelu_erf";
        case ops::Activation::gelu_quick:
            return "gelu_quick";
    }
    return "?";
}

// GPU exp / tanh are not libm's (Vulkan allows a few ulp, more for large arguments), and
// gelu_erf's erf is an approximation with |error| <= 1.5e-7 (so <= 7.5e-8 |x| in the result,
// < 5e-7 on [-6, 6]). 1e-6 absolute + 1e-5 relative covers both with margin; a wrong
// constant or formula misses it by orders of magnitude.
constexpr float kAtol = 1e-6f, kRtol = 1e-5f;

class UnaryOp : public GpuTest,
                public ::testing::WithParamInterface<std::tuple<ops::Activation, Shape>> {};

TEST_P(UnaryOp, MatchesCpu) {
    // Named copies, not a structured binding: the lambda below captures them (clang 14 can't
    // capture a binding).
    const ops::Activation act = std::get<0>(GetParam());
    const Shape shape = std::get<1>(GetParam());
    // [-6, 6] reaches both tails, where sigmoid saturates and erfc is tiny.
    const auto x = random_tensor(shape, 21, -6.0f, 6.0f);
    auto gx = upload(x);
    auto out = empty(TensorType::F32, shape);
    run([&](gpu::Recorder& rec) { ops::unary(rec, act, gx, out); });
    EXPECT_TRUE(all_close(ops::cpu::unary(act, x), download(out), kAtol, kRtol)) << name_of(act);
}

INSTANTIATE_TEST_SUITE_P(
    All, UnaryOp,
    ::testing::Combine(::testing::Values(ops::Activation::silu, ops::Activation::gelu,
                                         ops::Activation::gelu_erf, ops::Activation::gelu_quick),
                       ::testing::Values(Shape{1, 1, 1, 1}, Shape{257, 3, 1, 1},
                                         Shape{4096, 5, 1, 1}, Shape{33, 4, 3, 2})));

TEST_F(GpuTest, UnaryStaysFiniteOnExtremeInputs) {
    ops::HostTensor x({12, 1, 1, 1});
    x.data = {-1e30f, -1e4f, -100.0f, -20.0f, -1e-30f, 0.0f,
              1e-30f, 20.0f, 100.0f,  1e4f,   1e30f,   -0.5f};
    auto gx = upload(x);
    for (auto act : {ops::Activation::silu, ops::Activation::gelu, ops::Activation::gelu_erf,
                     ops::Activation::gelu_quick}) {
        auto out = empty(TensorType::F32, x.ne);
        run([&](gpu::Recorder& rec) { ops::unary(rec, act, gx, out); });
        const auto got = download(out), want = ops::cpu::unary(act, x);
        for (std::size_t i = 0; i < x.data.size(); ++i) {
            EXPECT_TRUE(std::isfinite(got.data[i])) << name_of(act) << "(" << x.data[i] << ")";
            // Same bound as above; the saturated ends are exact (x or 0) on both sides.
            EXPECT_NEAR(got.data[i], want.data[i], kAtol + kRtol * std::fabs(want.data[i]))
                << name_of(act) << "(" << x.data[i] << ")";
        }
    }
}

TEST_F(GpuTest, UnaryReadsPermutedViews) {
    const auto x = random_tensor({6, 9, 1, 1}, 22, -3.0f, 3.0f);
    auto gx = upload(x);
    auto out = empty(TensorType::F32, {9, 6, 1, 1});
    run([&](gpu::Recorder& rec) {
        ops::unary(rec, ops::Activation::silu, gx.permuted(1, 0, 2, 3), out);
    });
    const auto got = download(out);
    for (int i1 = 0; i1 < 6; ++i1)
        for (int i0 = 0; i0 < 9; ++i0) {
            const float want = ops::cpu::activate(ops::Activation::silu, x.at(i1, i0));
            EXPECT_NEAR(got.at(i0, i1), want, kAtol + kRtol * std::fabs(want));
        }
}

TEST_F(GpuTest, UnaryRejectsShapeMismatch) {
    auto gx = upload(random_tensor({6, 2, 1, 1}, 1));
    auto out = empty(TensorType::F32, {2, 6, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::unary(rec, ops::Activation::gelu, gx, out), Error);
}

}  // namespace
}  // namespace prism::test
