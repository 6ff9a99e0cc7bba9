#include "prism/ops/softmax.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include "ops/reduction_mode.hpp"
#include "prism/error.hpp"
#include "prism/half.hpp"
#include "prism/ops/copy.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

// GPU exp (a few ulp) and the f32 sum of up to 32768 terms against a double reference:
// relative error ~1e-6. 1e-5 relative + 1e-8 absolute (outputs of long rows are ~1/n, so an
// absolute bound of 1e-6 would hide real errors there).
constexpr float kAtol = 1e-8f, kRtol = 1e-5f;
// tanh on the GPU is built from exp and loses a little more near 0 (soft-capped logits):
constexpr float kCapRtol = 3e-5f;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// A causal-style mask [ne0, m1] with -inf above the diagonal and small values elsewhere.
ops::HostTensor make_mask(std::int64_t ne0, std::int64_t m1, std::uint32_t seed) {
    auto m = random_tensor({ne0, m1, 1, 1}, seed, -2.0f, 0.0f);
    for (std::int64_t r = 0; r < m1; ++r)
        for (std::int64_t i = 0; i < ne0; ++i)
            if (i > r + ne0 / 2) m.at(i, r) = kNegInf;
    return m;
}

struct SoftmaxCase {
    Shape shape;
    bool shared_memory_reduction;
};

class SoftmaxOp : public GpuTest, public ::testing::WithParamInterface<SoftmaxCase> {
  protected:
    gpu::Tensor upload_half(const ops::HostTensor& h) {
        std::vector<std::uint8_t> bytes(h.data.size() * 2);
        for (std::size_t i = 0; i < h.data.size(); ++i) {
            const std::uint16_t v = float_to_half(h.data[i]);
            bytes[2 * i] = static_cast<std::uint8_t>(v & 0xFF);
            bytes[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
        return upload_raw(TensorType::F16, h.ne, bytes);
    }
};

TEST_P(SoftmaxOp, MatchesCpuWithAndWithoutMaskAndCap) {
    const auto [shape, shared_memory] = GetParam();
    std::optional<ops::detail::ForceSharedMemoryReduction> force;
    if (shared_memory) force.emplace();
    const auto x = random_tensor(shape, 51, -8.0f, 8.0f);
    // Two padding rows beyond ne1, as attention masks padded to a block have.
    const auto mask = make_mask(shape[0], shape[1] + 2, 52);
    const auto mask_rounded = ops::cpu::round_to_f16(mask);
    auto gx = upload(x), gm = upload(mask), gm16 = upload_half(mask);
    auto plain = empty(TensorType::F32, shape), masked = empty(TensorType::F32, shape);
    auto masked16 = empty(TensorType::F32, shape), capped = empty(TensorType::F32, shape);
    const ops::SoftmaxParams scaled{0.37f, 0.0f}, soft_capped{1.3f, 5.0f};
    run([&](gpu::Recorder& rec) {
        ops::softmax(rec, gx, plain);
        ops::softmax(rec, gx, masked, scaled, &gm);
        ops::softmax(rec, gx, masked16, scaled, &gm16);
        ops::softmax(rec, gx, capped, soft_capped, &gm);
    });
    EXPECT_TRUE(all_close(ops::cpu::softmax(x), download(plain), kAtol, kRtol));
    EXPECT_TRUE(all_close(ops::cpu::softmax(x, scaled, &mask), download(masked), kAtol, kRtol));
    EXPECT_TRUE(
        all_close(ops::cpu::softmax(x, scaled, &mask_rounded), download(masked16), kAtol, kRtol));
    EXPECT_TRUE(
        all_close(ops::cpu::softmax(x, soft_capped, &mask), download(capped), kAtol, kCapRtol));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SoftmaxOp,
    ::testing::Values(SoftmaxCase{{1, 1, 1, 1}, false}, SoftmaxCase{{5, 3, 2, 1}, false},
                      SoftmaxCase{{1000, 4, 1, 1}, false}, SoftmaxCase{{32771, 2, 1, 1}, false},
                      SoftmaxCase{{63, 7, 2, 2}, true}, SoftmaxCase{{32771, 1, 1, 1}, true}));

TEST_F(GpuTest, SoftmaxOfFullyMaskedRowIsZero) {
    const auto x = random_tensor({70, 3, 1, 1}, 53);
    auto mask = random_tensor({70, 3, 1, 1}, 54, -1.0f, 0.0f);
    for (int i = 0; i < 70; ++i) mask.at(i, 1) = kNegInf;  // row 1 sees nothing
    auto gx = upload(x), gm = upload(mask);
    auto out = empty(TensorType::F32, x.ne);
    run([&](gpu::Recorder& rec) { ops::softmax(rec, gx, out, {}, &gm); });
    const auto got = download(out);
    for (int i = 0; i < 70; ++i) EXPECT_EQ(got.at(i, 1), 0.0f);
    EXPECT_TRUE(all_close(ops::cpu::softmax(x, {}, &mask), got, kAtol, kRtol));
}

TEST_F(GpuTest, SoftmaxInPlaceOnPermutedRows) {
    // Rows strided by 9 elements: softmax over dim 0 of a transposed view.
    const auto stored = random_tensor({9, 33, 1, 1}, 55, -4.0f, 4.0f);
    auto gs = upload(stored);
    const auto view = gs.permuted(1, 0, 2, 3);  // [33, 9]
    run([&](gpu::Recorder& rec) { ops::softmax(rec, view, view, {2.0f, 0.0f}); });
    ops::HostTensor transposed({33, 9, 1, 1});
    for (int i1 = 0; i1 < 9; ++i1)
        for (int i0 = 0; i0 < 33; ++i0) transposed.at(i0, i1) = stored.at(i1, i0);
    const auto want = ops::cpu::softmax(transposed, {2.0f, 0.0f});
    const auto got = download(gs);
    for (int i1 = 0; i1 < 9; ++i1)
        for (int i0 = 0; i0 < 33; ++i0)
            EXPECT_NEAR(got.at(i1, i0), want.at(i0, i1), kAtol + kRtol * want.at(i0, i1));
}

TEST_F(GpuTest, SoftmaxRejectsBadMasks) {
    auto gx = upload(random_tensor({16, 4, 1, 1}, 1));
    auto out = empty(TensorType::F32, {16, 4, 1, 1});
    auto short_rows = upload(random_tensor({16, 3, 1, 1}, 2));
    auto wrong_width = upload(random_tensor({15, 4, 1, 1}, 3));
    auto rec = ctx().record();
    EXPECT_THROW(ops::softmax(rec, gx, out, {}, &short_rows), Error);
    EXPECT_THROW(ops::softmax(rec, gx, out, {}, &wrong_width), Error);
    EXPECT_THROW(ops::softmax(rec, gx, out, {1.0f, -1.0f}), Error);
}

}  // namespace
}  // namespace prism::test
