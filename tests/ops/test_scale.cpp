#include "prism/ops/scale.hpp"

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

class ScaleOp : public GpuTest, public ::testing::WithParamInterface<Shape> {};

TEST_P(ScaleOp, MatchesCpuExactly) {
    const auto a = random_tensor(GetParam(), 11, -10.0f, 10.0f);
    auto ga = upload(a);
    auto plain = empty(TensorType::F32, a.ne), biased = empty(TensorType::F32, a.ne);
    run([&](gpu::Recorder& rec) {
        ops::scale(rec, ga, plain, 0.125f);
        ops::scale(rec, ga, biased, -1.7f, 0.3f);
    });
    // Exact: the same two IEEE roundings per element on both sides.
    EXPECT_TRUE(all_close(ops::cpu::scale(a, 0.125f), download(plain), 0, 0));
    EXPECT_TRUE(all_close(ops::cpu::scale(a, -1.7f, 0.3f), download(biased), 0, 0));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ScaleOp,
                         ::testing::Values(Shape{1, 1, 1, 1}, Shape{257, 3, 1, 1},
                                           Shape{33, 4, 6, 2}, Shape{1000, 70, 1, 1}));

TEST_F(GpuTest, ScaleWritesThroughPermutedViewsAndInPlace) {
    const auto a = random_tensor({7, 5, 3, 1}, 12);
    auto ga = upload(a);
    auto out = empty(TensorType::F32, {5, 7, 3, 1});
    // out seen as [7, 5, 3]: element (i0, i1, i2) of the view is out(i1, i0, i2).
    const auto out_view = out.permuted(1, 0, 2, 3);
    run([&](gpu::Recorder& rec) {
        ops::scale(rec, ga, out_view, 2.0f, 1.0f);
        ops::scale(rec, ga, ga, 3.0f);
    });
    const auto got = download(out), in_place = download(ga);
    for (int i2 = 0; i2 < 3; ++i2)
        for (int i1 = 0; i1 < 5; ++i1)
            for (int i0 = 0; i0 < 7; ++i0) {
                EXPECT_EQ(got.at(i1, i0, i2), ops::cpu::scale(a, 2.0f, 1.0f).at(i0, i1, i2));
                EXPECT_EQ(in_place.at(i0, i1, i2), a.at(i0, i1, i2) * 3.0f);
            }
}

TEST_F(GpuTest, ScaleRejectsMismatchedShapesAndTypes) {
    auto ga = upload(random_tensor({6, 2, 1, 1}, 1));
    auto other = empty(TensorType::F32, {6, 3, 1, 1});
    auto half = empty(TensorType::F16, {6, 2, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::scale(rec, ga, other, 1.0f), Error);
    EXPECT_THROW(ops::scale(rec, ga, half, 1.0f), Error);
}

}  // namespace
}  // namespace prism::test
