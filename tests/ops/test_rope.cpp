#include "prism/ops/rope.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

struct RopeCase {
    std::string name;
    std::int64_t head_dim, n_heads, n_tokens;
    ops::RopeParams params;
    std::vector<std::int32_t> positions;  // empty: 0, 1, 2, ... (times 4 planes for multi)
    bool freq_factors = false;
    bool in_place = false;
};

std::vector<std::int32_t> positions_for(const RopeCase& c) {
    if (!c.positions.empty()) return c.positions;
    const bool multi =
        c.params.mode == ops::RopeMode::multi || c.params.mode == ops::RopeMode::vision;
    std::vector<std::int32_t> pos;
    for (std::int64_t plane = 0; plane < (multi ? 4 : 1); ++plane)
        for (std::int64_t t = 0; t < c.n_tokens; ++t)
            pos.push_back(static_cast<std::int32_t>(t * (plane + 1) + 3 * plane));
    return pos;
}

void PrintTo(const RopeCase& c, std::ostream* os) {
    *os << c.name;
}

class RopeOp : public GpuTest, public ::testing::WithParamInterface<RopeCase> {};

TEST_P(RopeOp, MatchesCpu) {
    const RopeCase& c = GetParam();
    const auto x = random_tensor({c.head_dim, c.n_heads, c.n_tokens, 1}, 11);
    const auto pos = positions_for(c);
    std::vector<float> factors;
    if (c.freq_factors) {
        const std::int64_t pairs = (c.params.n_rot == 0 ? c.head_dim : c.params.n_rot) / 2;
        for (std::int64_t i = 0; i < pairs; ++i)
            factors.push_back(1.0f + 0.37f * static_cast<float>(i % 5));
    }

    // x lives as [head_dim, n_tokens, n_heads] on the GPU and is handed over permuted, so the
    // op sees non-trivial head and token strides.
    ops::HostTensor stored({c.head_dim, c.n_tokens, c.n_heads, 1});
    for (std::int64_t t = 0; t < c.n_tokens; ++t)
        for (std::int64_t h = 0; h < c.n_heads; ++h)
            for (std::int64_t d = 0; d < c.head_dim; ++d) stored.at(d, t, h) = x.at(d, h, t);
    const auto gx = upload(stored).permuted(0, 2, 1, 3);

    std::vector<std::uint8_t> pos_bytes(pos.size() * 4);
    std::memcpy(pos_bytes.data(), pos.data(), pos_bytes.size());
    const auto gpos =
        upload_raw(TensorType::I32, {static_cast<std::int64_t>(pos.size()), 1, 1, 1}, pos_bytes);
    gpu::Tensor gff;
    if (c.freq_factors)
        gff = upload(ops::HostTensor({static_cast<std::int64_t>(factors.size()), 1, 1, 1}));
    if (c.freq_factors) ctx().upload(gff.memory, std::span<const float>(factors));
    const auto gout =
        c.in_place ? gx : empty(TensorType::F32, {c.head_dim, c.n_heads, c.n_tokens, 1});
    run([&](gpu::Recorder& rec) {
        ops::rope(rec, gx, gpos, gout, c.params, c.freq_factors ? &gff : nullptr);
    });

    ops::HostTensor got({c.head_dim, c.n_heads, c.n_tokens, 1});
    if (c.in_place) {
        const auto back = download(gx.permuted(0, 2, 1, 3));
        for (std::int64_t t = 0; t < c.n_tokens; ++t)
            for (std::int64_t h = 0; h < c.n_heads; ++h)
                for (std::int64_t d = 0; d < c.head_dim; ++d) got.at(d, h, t) = back.at(d, t, h);
    } else {
        got = download(gout);
    }
    const auto expected = ops::cpu::rope(x, pos, c.params, factors);

    // The GPU forms each angle in f32 (pos * exp2 of a rounded exponent): a few ulp of relative
    // error, so the angle is off by ~1e-7 * |pos| radians (measured 7.7e-8 * |pos| on lavapipe
    // at pos 4095) and the rotated values (|x| <= 1, scaled by mscale) by about as much. The
    // reference is double precision; 1e-5 covers sin/cos and the final products.
    std::int32_t max_pos = 0;
    for (auto v : pos) max_pos = std::max(max_pos, std::abs(v));
    float mscale = c.params.attn_factor;
    if (c.params.ext_factor != 0) mscale *= 1.0f + 0.1f * std::log(1.0f / c.params.freq_scale);
    const float atol = 1e-5f + 5e-7f * mscale * static_cast<float>(max_pos);
    EXPECT_TRUE(all_close(expected, got, atol, 0));
    const auto diff = compare(expected, got);
    RecordProperty("max_abs_error", std::to_string(diff.max_abs));
}

ops::RopeParams with(ops::RopeMode mode, std::int32_t n_rot = 0) {
    ops::RopeParams p;
    p.mode = mode;
    p.n_rot = n_rot;
    return p;
}

ops::RopeParams linear(ops::RopeMode mode) {
    auto p = with(mode);
    p.freq_scale = 0.25f;
    p.freq_base = 500000.0f;
    return p;
}

ops::RopeParams yarn(ops::RopeMode mode) {
    auto p = with(mode);
    p.freq_base = 1000000.0f;
    p.freq_scale = 0.25f;
    p.ext_factor = 1.0f;
    p.attn_factor = 1.0f;
    p.n_ctx_orig = 4096;
    return p;
}

ops::RopeParams multi(ops::RopeMode mode, std::array<std::int32_t, 4> sections,
                      std::int32_t n_rot = 0) {
    auto p = with(mode, n_rot);
    p.sections = sections;
    return p;
}

using M = ops::RopeMode;
INSTANTIATE_TEST_SUITE_P(
    Variants, RopeOp,
    ::testing::Values(
        RopeCase{"size_1", 2, 1, 1, with(M::normal), {5}},
        RopeCase{"normal_64", 64, 3, 7, with(M::normal)},
        RopeCase{"neox_128", 128, 2, 5, with(M::neox)},
        RopeCase{"normal_partial_32_of_80", 80, 3, 4, with(M::normal, 32)},
        RopeCase{"neox_partial_24_of_64", 64, 2, 3, with(M::neox, 24)},
        RopeCase{"normal_linear_scaling", 64, 2, 6, linear(M::normal)},
        RopeCase{"neox_yarn", 64, 2, 5, yarn(M::neox), {0, 1000, 7, 4095, 2500}},
        RopeCase{"normal_yarn_partial",
                 128,
                 1,
                 3,
                 [] {
                     auto p = yarn(M::normal);
                     p.n_rot = 96;
                     p.attn_factor = 0.8f;
                     return p;
                 }(),
                 {17, 3000, 1}},
        RopeCase{"non_monotonic_positions", 64, 2, 6, with(M::neox), {9, 2, 2, 700, 0, 31}},
        RopeCase{"freq_factors_llama3", 64, 2, 4, with(M::normal), {0, 1, 2000, 3}, true},
        RopeCase{"in_place_neox", 64, 4, 3, with(M::neox), {}, false, true},
        RopeCase{"mrope_qwen2vl_128", 128, 2, 5, multi(M::multi, {16, 24, 24, 0})},
        RopeCase{"mrope_partial_sections", 64, 2, 3, multi(M::multi, {4, 6, 6, 0}, 32)},
        RopeCase{"mrope_with_e_plane", 64, 1, 4, multi(M::multi, {6, 10, 10, 6})},
        RopeCase{"vision_qwen2vl_80", 80, 2, 6, multi(M::vision, {20, 20, 20, 20}, 40)}),
    [](const ::testing::TestParamInfo<RopeCase>& param) { return param.param.name; });

// The reference's pairing and angles by hand: x = (1, 0, 0, 1) at position 1, base 10000,
// head_dim 4 gives angles 1 and 0.01 for pairs 0 and 1.
TEST(RopeCpu, PairsAndAnglesMatchTheDefinition) {
    ops::HostTensor x({4, 1, 1, 1});
    x.data = {1, 0, 0, 1};
    const std::int32_t pos[] = {1};
    const auto normal = ops::cpu::rope(x, pos, with(M::normal));  // pairs (0,1), (2,3)
    EXPECT_NEAR(normal.data[0], std::cos(1.0), 1e-7);
    EXPECT_NEAR(normal.data[1], std::sin(1.0), 1e-7);
    EXPECT_NEAR(normal.data[2], -std::sin(0.01), 1e-7);
    EXPECT_NEAR(normal.data[3], std::cos(0.01), 1e-7);
    const auto neox = ops::cpu::rope(x, pos, with(M::neox));  // pairs (0,2), (1,3)
    EXPECT_NEAR(neox.data[0], std::cos(1.0), 1e-7);
    EXPECT_NEAR(neox.data[2], std::sin(1.0), 1e-7);
    EXPECT_NEAR(neox.data[1], -std::sin(0.01), 1e-7);
    EXPECT_NEAR(neox.data[3], std::cos(0.01), 1e-7);
    // Linear scaling by 4 (freq_scale 0.25) quarters the angles.
    auto scaled = with(M::normal);
    scaled.freq_scale = 0.25f;
    EXPECT_NEAR(ops::cpu::rope(x, pos, scaled).data[1], std::sin(0.25), 1e-7);
}

TEST_F(GpuTest, RopeRejectsWrongPositionCount) {
    auto gx = upload(random_tensor({64, 2, 5, 1}, 1));
    auto gpos = upload_raw(TensorType::I32, {4, 1, 1, 1}, std::vector<std::uint8_t>(16));
    auto rec = ctx().record();
    EXPECT_THROW(ops::rope(rec, gx, gpos, gx, with(M::neox)), Error);
    EXPECT_THROW(ops::rope(rec, gx, gpos, gx, multi(M::multi, {8, 12, 12, 0})), Error);
}

TEST_F(GpuTest, RopeRejectsBadRotatedDims) {
    auto gx = upload(random_tensor({64, 2, 1, 1}, 1));
    auto gpos = upload_raw(TensorType::I32, {1, 1, 1, 1}, std::vector<std::uint8_t>(4));
    auto rec = ctx().record();
    EXPECT_THROW(ops::rope(rec, gx, gpos, gx, with(M::normal, 66)), Error);
    EXPECT_THROW(ops::rope(rec, gx, gpos, gx, with(M::normal, 7)), Error);
    EXPECT_THROW(ops::rope(rec, gx, gpos, gx, multi(M::vision, {16, 16, 0, 0}, 48)), Error);
}

}  // namespace
}  // namespace prism::test
