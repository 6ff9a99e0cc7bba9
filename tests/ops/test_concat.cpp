#include "prism/ops/concat.hpp"

#include <cstring>
#include <ostream>

#include "prism/error.hpp"
#include "prism/half.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Shape = std::array<std::int64_t, 4>;

struct ConcatCase {
    Shape a, b;
    int dim;
};

std::ostream& operator<<(std::ostream& os, const ConcatCase& c) {
    return os << "[" << c.a[0] << "," << c.a[1] << "," << c.a[2] << "," << c.a[3] << "] ++ ["
              << c.b[0] << "," << c.b[1] << "," << c.b[2] << "," << c.b[3] << "] dim " << c.dim;
}

Shape joined(const ConcatCase& c) {
    Shape s = c.a;
    s[static_cast<std::size_t>(c.dim)] += c.b[static_cast<std::size_t>(c.dim)];
    return s;
}

std::vector<std::uint8_t> f16_bytes(const ops::HostTensor& t) {
    std::vector<std::uint8_t> bytes(t.data.size() * 2);
    for (std::size_t i = 0; i < t.data.size(); ++i) {
        const std::uint16_t h = float_to_half(t.data[i]);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
    }
    return bytes;
}

// Rounds every value to f16 and back, so f16 results can be compared exactly.
ops::HostTensor rounded_to_f16(ops::HostTensor t) {
    for (auto& v : t.data) v = half_to_float(float_to_half(v));
    return t;
}

class Concat : public GpuTest, public ::testing::WithParamInterface<ConcatCase> {};

// Exact in both types: concat only moves values.
TEST_P(Concat, F32MatchesCpu) {
    const auto c = GetParam();
    const auto a = random_tensor(c.a, 61), b = random_tensor(c.b, 62);
    auto ga = upload(a), gb = upload(b);
    auto out = empty(TensorType::F32, joined(c));
    run([&](gpu::Recorder& rec) { ops::concat(rec, ga, gb, out, c.dim); });
    EXPECT_TRUE(all_close(ops::cpu::concat(a, b, c.dim), download(out), 0, 0));
}

TEST_P(Concat, F16MatchesCpu) {
    const auto c = GetParam();
    const auto a = rounded_to_f16(random_tensor(c.a, 63));
    const auto b = rounded_to_f16(random_tensor(c.b, 64));
    auto ga = upload_raw(TensorType::F16, c.a, f16_bytes(a));
    auto gb = upload_raw(TensorType::F16, c.b, f16_bytes(b));
    auto out = empty(TensorType::F16, joined(c));
    run([&](gpu::Recorder& rec) { ops::concat(rec, ga, gb, out, c.dim); });
    EXPECT_TRUE(all_close(ops::cpu::concat(a, b, c.dim), download(out), 0, 0));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Concat,
    ::testing::Values(
        ConcatCase{{1, 1, 1, 1}, {1, 1, 1, 1}, 0}, ConcatCase{{1, 1, 1, 1}, {1, 1, 1, 1}, 3},
        ConcatCase{{3, 4, 5, 2}, {2, 4, 5, 2}, 0}, ConcatCase{{3, 4, 5, 2}, {3, 1, 5, 2}, 1},
        ConcatCase{{3, 4, 5, 2}, {3, 4, 7, 2}, 2}, ConcatCase{{3, 4, 5, 2}, {3, 4, 5, 3}, 3},
        // A class token prepended to 577 - 1 patch embeddings (odd widths).
        ConcatCase{{33, 1, 1, 1}, {33, 76, 1, 1}, 1},
        // Several workgroups of output.
        ConcatCase{{300, 7, 2, 1}, {300, 5, 2, 1}, 1}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST_F(GpuTest, ConcatReadsPermutedViews) {
    // a is stored [5, 3] and seen as [3, 5]; b is contiguous [3, 2]; join along dim 1.
    const auto a_stored = random_tensor({5, 3, 1, 1}, 65);
    const auto b = random_tensor({3, 2, 1, 1}, 66);
    ops::HostTensor a({3, 5, 1, 1});
    for (std::int64_t i = 0; i < 5; ++i)
        for (std::int64_t j = 0; j < 3; ++j) a.at(j, i) = a_stored.at(i, j);
    auto ga = upload(a_stored).permuted(1, 0, 2, 3);
    auto gb = upload(b);
    auto out = empty(TensorType::F32, {3, 7, 1, 1});
    run([&](gpu::Recorder& rec) { ops::concat(rec, ga, gb, out, 1); });
    EXPECT_TRUE(all_close(ops::cpu::concat(a, b, 1), download(out), 0, 0));  // exact: a copy
}

TEST_F(GpuTest, ConcatRejectsBadArguments) {
    auto rec = ctx().record();
    auto a = upload(random_tensor({3, 4, 1, 1}, 1));
    auto b = upload(random_tensor({2, 4, 1, 1}, 2));
    auto out = empty(TensorType::F32, {5, 4, 1, 1});
    EXPECT_NO_THROW(ops::concat(rec, a, b, out, 0));
    try {
        ops::concat(rec, a, b, out, 1);  // a and b differ in dim 0
        ADD_FAILURE() << "no error for mismatched extents";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("concat"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ops::concat(rec, a, b, out, 4), Error);
    EXPECT_THROW(ops::concat(rec, a, b, out, -1), Error);
    auto wrong_out = empty(TensorType::F32, {6, 4, 1, 1});
    EXPECT_THROW(ops::concat(rec, a, b, wrong_out, 0), Error);
    auto f16_out = empty(TensorType::F16, {5, 4, 1, 1});
    EXPECT_THROW(ops::concat(rec, a, b, f16_out, 0), Error);
    EXPECT_THROW(ops::concat(rec, a, a, a, 0), Error);  // shape mismatch and overlap
}

}  // namespace
}  // namespace prism::test
