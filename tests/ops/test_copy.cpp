#include "prism/ops/copy.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "prism/error.hpp"
#include "prism/half.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

// Copies move or convert bits with integer arithmetic on both sides, so every check here is
// bit-exact (tolerance 0), NaN payloads and signed zeros included.
class CopyTest : public GpuTest {
  protected:
    gpu::Tensor upload_bits16(Shape ne, const std::vector<std::uint16_t>& bits) {
        std::vector<std::uint8_t> bytes(bits.size() * 2);
        std::memcpy(bytes.data(), bits.data(), bytes.size());
        return upload_raw(TensorType::F16, ne, bytes);
    }
    gpu::Tensor upload_bits32(Shape ne, const std::vector<std::uint32_t>& bits) {
        std::vector<std::uint8_t> bytes(bits.size() * 4);
        std::memcpy(bytes.data(), bits.data(), bytes.size());
        return upload_raw(TensorType::F32, ne, bytes);
    }
    std::vector<std::uint16_t> bits16(const gpu::Tensor& t) {
        return ctx().download<std::uint16_t>(t.memory);
    }
    std::vector<std::uint32_t> bits32(const gpu::Tensor& t) {
        return ctx().download<std::uint32_t>(t.memory);
    }
};

std::uint32_t bits_of(float f) {
    return std::bit_cast<std::uint32_t>(f);
}

TEST_F(CopyTest, TransposesNonSquareMatrices) {
    for (const Shape shape : {Shape{5, 8, 1, 1}, Shape{1, 7, 1, 1}, Shape{300, 3, 2, 1}}) {
        const auto x = random_tensor(shape, 61);
        auto gx = upload(x);
        const auto view = gx.permuted(1, 0, 2, 3);
        auto out = empty(TensorType::F32, view.ne);
        run([&](gpu::Recorder& rec) { ops::copy(rec, view, out); });
        EXPECT_TRUE(all_close(ops::cpu::permute(x, 1, 0, 2, 3), download(out), 0, 0));
    }
}

TEST_F(CopyTest, Permutes4dOnEitherSide) {
    const auto x = random_tensor({3, 4, 5, 2}, 62);
    auto gx = upload(x);
    // Permuted source into a contiguous destination: a layout change.
    const auto view = gx.permuted(2, 0, 3, 1);
    auto gathered = empty(TensorType::F32, view.ne);
    // Contiguous source into a permuted destination: a scatter. store.permuted(2, 0, 3, 1) has
    // x's shape when store is [5, 3, 2, 4].
    auto store = empty(TensorType::F32, {5, 3, 2, 4});
    run([&](gpu::Recorder& rec) {
        ops::copy(rec, view, gathered);
        ops::copy(rec, gx, store.permuted(2, 0, 3, 1));
    });
    EXPECT_TRUE(all_close(ops::cpu::permute(x, 2, 0, 3, 1), download(gathered), 0, 0));
    EXPECT_TRUE(all_close(x, ops::cpu::permute(download(store), 2, 0, 3, 1), 0, 0));
}

// Values where rounding to f16 is delicate: ties (to even), just past ties, the subnormal
// range and its ties, the overflow threshold, infinities, NaN with a payload, signed zeros.
std::vector<float> delicate_values() {
    std::vector<float> v = {0.0f,
                            -0.0f,
                            1.0f,
                            -1.0f,
                            65504.0f,
                            65519.99f,
                            65520.0f,
                            -65520.0f,
                            1e10f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::bit_cast<float>(0x7FC01234u),
                            std::bit_cast<float>(0xFF812345u),
                            std::ldexp(1.0f, -14),
                            std::ldexp(1.0f, -24),
                            std::ldexp(1.0f, -25),
                            std::ldexp(1.0f, -26),
                            std::ldexp(3.0f, -26),
                            std::ldexp(3.0f, -25),
                            std::ldexp(5.0f, -25),
                            std::nextafter(std::ldexp(1.0f, -25), 1.0f),
                            std::numeric_limits<float>::denorm_min(),
                            1e-30f,
                            3.14159265f};
    for (int e = -15; e <= 15; ++e) {
        // A tie between two f16 neighbours (bit 12 set, below clear) for each exponent, with
        // the kept mantissa odd and even, and one ulp either side of the tie.
        for (std::uint32_t kept : {0x000u, 0x001u, 0x3FEu, 0x3FFu}) {
            const std::uint32_t tie =
                static_cast<std::uint32_t>(e + 127) << 23 | kept << 13 | 0x1000u;
            v.push_back(std::bit_cast<float>(tie));
            v.push_back(std::bit_cast<float>(tie + 1));
            v.push_back(std::bit_cast<float>(tie - 1));
            v.push_back(-std::bit_cast<float>(tie));
        }
    }
    return v;
}

TEST_F(CopyTest, F32ToF16RoundsExactlyLikeFloatToHalf) {
    auto values = delicate_values();
    std::mt19937 rng(63);
    // Random bit patterns: every exponent, NaNs included.
    while (values.size() < 5000)
        values.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(rng())));
    const std::int64_t n = static_cast<std::int64_t>(values.size());
    std::vector<std::uint32_t> bits(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) bits[i] = bits_of(values[i]);
    auto src = upload_bits32({n, 1, 1, 1}, bits);
    auto dst = empty(TensorType::F16, {n, 1, 1, 1});
    run([&](gpu::Recorder& rec) { ops::copy(rec, src, dst); });
    const auto got = bits16(dst);
    int mismatches = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (got[i] != float_to_half(values[i]) && ++mismatches <= 5) {
            ADD_FAILURE() << "f32 bits 0x" << std::hex << bits[i] << ": gpu 0x" << got[i]
                          << ", float_to_half 0x" << float_to_half(values[i]);
        }
    }
    EXPECT_EQ(mismatches, 0);
}

TEST_F(CopyTest, F16ToF32IsExactForEveryHalf) {
    std::vector<std::uint16_t> all(65536);
    for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
    auto src = upload_bits16({256, 256, 1, 1}, all);
    auto dst = empty(TensorType::F32, {256, 256, 1, 1});
    run([&](gpu::Recorder& rec) { ops::copy(rec, src, dst); });
    const auto got = bits32(dst);
    for (std::uint32_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(got[i], bits_of(half_to_float(all[i]))) << "half 0x" << std::hex << i;
    }
}

TEST_F(CopyTest, F16ToF16AndF32ToF32MoveBitsThroughTransposes) {
    std::mt19937 rng(64);
    std::vector<std::uint16_t> h(5 * 3);
    for (auto& v : h) v = static_cast<std::uint16_t>(rng());
    h[0] = 0x7D01;  // a signalling-NaN pattern must survive
    std::vector<std::uint32_t> f(5 * 3);
    for (auto& v : f) v = static_cast<std::uint32_t>(rng());
    f[0] = 0x7F800001u;
    auto h_src = upload_bits16({5, 3, 1, 1}, h);
    auto f_src = upload_bits32({5, 3, 1, 1}, f);
    auto h_dst = empty(TensorType::F16, {3, 5, 1, 1}), f_dst = empty(TensorType::F32, {3, 5, 1, 1});
    run([&](gpu::Recorder& rec) {
        ops::copy(rec, h_src.permuted(1, 0, 2, 3), h_dst);
        ops::copy(rec, f_src.permuted(1, 0, 2, 3), f_dst);
    });
    const auto hg = bits16(h_dst);
    const auto fg = bits32(f_dst);
    for (int i1 = 0; i1 < 5; ++i1)
        for (int i0 = 0; i0 < 3; ++i0) {
            EXPECT_EQ(hg[static_cast<std::size_t>(i1 * 3 + i0)],
                      h[static_cast<std::size_t>(i0 * 5 + i1)]);
            EXPECT_EQ(fg[static_cast<std::size_t>(i1 * 3 + i0)],
                      f[static_cast<std::size_t>(i0 * 5 + i1)]);
        }
}

TEST_F(CopyTest, WritesTokensIntoAnF16Cache) {
    // K of 2 new tokens, [head_dim 4, heads 3, tokens 2], into rows 5..6 of a cache
    // [head_dim * heads, 10 tokens] in f16: shapes differ, element counts agree.
    const auto k = random_tensor({4, 3, 2, 1}, 65, -100.0f, 100.0f);
    auto gk = upload(k);
    auto cache = empty(TensorType::F16, {12, 10, 1, 1});
    run([&](gpu::Recorder& rec) {
        rec.fill_zero(cache.memory);
        ops::copy(rec, gk, cache.rows_slice(5, 2));
    });
    const auto got = download(cache);
    const auto rounded = ops::cpu::round_to_f16(k);
    for (int t = 0; t < 10; ++t)
        for (int i = 0; i < 12; ++i) {
            const float want = (t == 5 || t == 6)
                                   ? rounded.data[static_cast<std::size_t>((t - 5) * 12 + i)]
                                   : 0.0f;
            EXPECT_EQ(got.at(i, t), want) << "token " << t << " element " << i;
        }
}

TEST_F(CopyTest, RejectsMismatchedCountsAndTypes) {
    auto a = upload(random_tensor({6, 2, 1, 1}, 1));
    auto b = empty(TensorType::F32, {5, 2, 1, 1});
    auto q = empty(TensorType::Q8_0, {32, 2, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::copy(rec, a, b), Error);
    EXPECT_THROW(ops::copy(rec, q, a), Error);
}

}  // namespace
}  // namespace prism::test
