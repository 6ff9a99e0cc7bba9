#include "prism/ops/binary.hpp"

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

class BinaryOp : public GpuTest,
                 public ::testing::WithParamInterface<std::array<std::array<std::int64_t, 4>, 2>> {
};

TEST_P(BinaryOp, AddMatchesCpu) {
    const auto [shape_a, shape_b] = GetParam();
    const auto a = random_tensor(shape_a, 1), b = random_tensor(shape_b, 2);
    auto ga = upload(a), gb = upload(b);
    auto sum = empty(TensorType::F32, shape_a);
    run([&](gpu::Recorder& rec) { ops::add(rec, ga, gb, sum); });
    // Exact: one IEEE operation per element on both sides.
    EXPECT_TRUE(all_close(ops::cpu::add(a, b), download(sum), 0, 0));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, BinaryOp,
    ::testing::Values(std::array<std::array<std::int64_t, 4>, 2>{{{1, 1, 1, 1}, {1, 1, 1, 1}}},
                      std::array<std::array<std::int64_t, 4>, 2>{{{257, 3, 1, 1}, {257, 3, 1, 1}}},
                      std::array<std::array<std::int64_t, 4>, 2>{{{64, 7, 5, 2}, {64, 1, 1, 1}}},
                      std::array<std::array<std::int64_t, 4>, 2>{{{33, 4, 6, 1}, {1, 4, 1, 1}}},
                      std::array<std::array<std::int64_t, 4>, 2>{
                          {{1000, 70, 1, 1}, {1000, 70, 1, 1}}}));

TEST_F(GpuTest, AddWorksInPlaceOnPermutedViews) {
    const auto a = random_tensor({8, 5, 1, 1}, 3), b = random_tensor({5, 8, 1, 1}, 4);
    auto ga = upload(a), gb = upload(b);
    // b seen transposed: element (i0, i1) of the view is b(i1, i0).
    const auto bt = gb.permuted(1, 0, 2, 3);
    run([&](gpu::Recorder& rec) { ops::add(rec, ga, bt, ga); });
    const auto got = download(ga);
    for (int i1 = 0; i1 < 5; ++i1)
        for (int i0 = 0; i0 < 8; ++i0) EXPECT_EQ(got.at(i0, i1), a.at(i0, i1) + b.at(i1, i0));
}

TEST_F(GpuTest, AddRejectsShapesThatDoNotBroadcast) {
    auto ga = upload(random_tensor({6, 2, 1, 1}, 1)), gb = upload(random_tensor({4, 1, 1, 1}, 2));
    auto rec = ctx().record();
    EXPECT_THROW(ops::add(rec, ga, gb, ga), Error);
}

}  // namespace
}  // namespace prism::test
