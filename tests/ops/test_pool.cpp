#include "prism/ops/pool.hpp"

#include <ostream>

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

// Windows hold at most 16 values in [-1, 1]; the GPU sums them in f32 and divides, the
// reference sums in double: the difference is a few f32 roundings of numbers below 16,
// i.e. < 2e-6. A wrong window moves results by ~0.1.
constexpr float kPoolTol = 2e-6f;

struct PoolCase {
    std::array<std::int64_t, 4> ne;
    std::int64_t kernel, stride;
};

std::ostream& operator<<(std::ostream& os, const PoolCase& c) {
    return os << "[" << c.ne[0] << "," << c.ne[1] << "," << c.ne[2] << "," << c.ne[3] << "] k"
              << c.kernel << " s" << c.stride;
}

std::array<std::int64_t, 4> pooled_1d(const PoolCase& c) {
    return {c.ne[0], ops::pool_output_length(c.ne[1], c.kernel, c.stride), c.ne[2], c.ne[3]};
}

std::array<std::int64_t, 4> pooled_2d(const PoolCase& c) {
    return {c.ne[0], ops::pool_output_length(c.ne[1], c.kernel, c.stride),
            ops::pool_output_length(c.ne[2], c.kernel, c.stride), c.ne[3]};
}

class AvgPool1d : public GpuTest, public ::testing::WithParamInterface<PoolCase> {};
class AvgPool2d : public GpuTest, public ::testing::WithParamInterface<PoolCase> {};

TEST_P(AvgPool1d, MatchesCpu) {
    const auto c = GetParam();
    const auto in = random_tensor(c.ne, 51);
    auto gin = upload(in);
    auto out = empty(TensorType::F32, pooled_1d(c));
    run([&](gpu::Recorder& rec) { ops::avg_pool1d(rec, gin, out, c.kernel, c.stride); });
    EXPECT_TRUE(
        all_close(ops::cpu::avg_pool1d(in, c.kernel, c.stride), download(out), kPoolTol, 0));
}

TEST_P(AvgPool2d, MatchesCpu) {
    const auto c = GetParam();
    const auto in = random_tensor(c.ne, 52);
    auto gin = upload(in);
    auto out = empty(TensorType::F32, pooled_2d(c));
    run([&](gpu::Recorder& rec) { ops::avg_pool2d(rec, gin, out, c.kernel, c.stride); });
    EXPECT_TRUE(
        all_close(ops::cpu::avg_pool2d(in, c.kernel, c.stride), download(out), kPoolTol, 0));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AvgPool1d,
    ::testing::Values(PoolCase{{1, 1, 1, 1}, 1, 1},
                      // Whisper-family k = 2, s = 2 over an odd length: the last step is dropped.
                      PoolCase{{3, 7, 1, 1}, 2, 2}, PoolCase{{33, 50, 1, 1}, 2, 2},
                      // Overlapping and gapped windows; batches in dims 2 and 3.
                      PoolCase{{5, 10, 1, 1}, 3, 2}, PoolCase{{300, 17, 1, 1}, 4, 3},
                      PoolCase{{4, 9, 3, 2}, 2, 2}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

INSTANTIATE_TEST_SUITE_P(
    Shapes, AvgPool2d,
    ::testing::Values(PoolCase{{1, 1, 1, 1}, 1, 1}, PoolCase{{3, 8, 8, 1}, 4, 4},
                      // Grid not a multiple of the kernel: trailing row and column dropped.
                      PoolCase{{5, 7, 9, 1}, 3, 3},
                      // Gemma 3's 64 x 64 patch grid pooled 4 x 4 (few channels to stay fast).
                      PoolCase{{16, 64, 64, 1}, 4, 4},
                      // Overlapping windows, two images.
                      PoolCase{{2, 6, 5, 2}, 2, 1}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST_F(GpuTest, AvgPool2dPoolsPatchEmbeddingsInPlaceOfAGrid) {
    // A [C, W * H] activation (patches row-major, as conv2d_patch emits them) viewed as the
    // [C, W, H] grid: same memory, only ne/nb change. Check a few outputs by hand, too.
    const std::int64_t c = 3, w = 8, h = 4, k = 4;
    const auto tokens = random_tensor({c, w * h, 1, 1}, 53);
    auto gtokens = upload(tokens);
    gpu::Tensor grid = gtokens;
    grid.ne = {c, w, h, 1};
    grid.nb = {4, 4 * c, 4 * c * w, 4 * c * w * h};
    auto out = empty(TensorType::F32, {c, w / k, h / k, 1});
    run([&](gpu::Recorder& rec) { ops::avg_pool2d(rec, grid, out, k, k); });
    const auto got = download(out);
    for (std::int64_t ch = 0; ch < c; ++ch)
        for (std::int64_t ox = 0; ox < w / k; ++ox) {
            double sum = 0;
            for (std::int64_t y = 0; y < k; ++y)
                for (std::int64_t x = ox * k; x < ox * k + k; ++x) sum += tokens.at(ch, y * w + x);
            EXPECT_NEAR(got.at(ch, ox, 0), sum / (k * k), kPoolTol);
        }
}

TEST_F(GpuTest, AvgPool1dReadsATransposedView) {
    // [T, C] memory seen as [C, T]: strides are honoured.
    const auto tc = random_tensor({10, 6, 1, 1}, 54);
    ops::HostTensor ct({6, 10, 1, 1});
    for (std::int64_t t = 0; t < 10; ++t)
        for (std::int64_t ch = 0; ch < 6; ++ch) ct.at(ch, t) = tc.at(t, ch);
    auto gin = upload(tc).permuted(1, 0, 2, 3);
    auto out = empty(TensorType::F32, {6, 5, 1, 1});
    run([&](gpu::Recorder& rec) { ops::avg_pool1d(rec, gin, out, 2, 2); });
    EXPECT_TRUE(all_close(ops::cpu::avg_pool1d(ct, 2, 2), download(out), kPoolTol, 0));
}

TEST_F(GpuTest, AvgPoolRejectsBadArguments) {
    auto rec = ctx().record();
    auto in = upload(random_tensor({4, 3, 3, 1}, 1));
    auto out = empty(TensorType::F32, {4, 1, 3, 1});
    try {
        ops::avg_pool1d(rec, in, out, 4, 4);  // kernel longer than the 3 tokens
        ADD_FAILURE() << "no error for a kernel longer than the input";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("avg_pool1d"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ops::avg_pool1d(rec, in, out, 0, 1), Error);
    EXPECT_THROW(ops::avg_pool1d(rec, in, out, 2, 0), Error);
    EXPECT_NO_THROW(ops::avg_pool1d(rec, in, out, 2, 2));  // [4, 3, 3] -> [4, 1, 3]
    auto wrong = empty(TensorType::F32, {4, 2, 3, 1});
    EXPECT_THROW(ops::avg_pool1d(rec, in, wrong, 2, 2), Error);
    EXPECT_THROW(ops::avg_pool2d(rec, in, out, 2, 2), Error);  // 2-D output is [4, 1, 1]
    EXPECT_THROW(ops::avg_pool2d(rec, in, in, 1, 1), Error);   // in place is not allowed
}

}  // namespace
}  // namespace prism::test
