#include "prism/ops/attention_inputs.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/half.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/rope.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

struct Case {
    ops::RopeMode mode;
    std::int64_t head_dim, hd_pad, n_heads, n_kv, n_tokens;
    bool qk_norm;
};

class AttentionInputsOp : public GpuTest, public ::testing::WithParamInterface<Case> {};

// Against cpu::rms_norm per head then cpu::rope (double angles), as the decoder ran them
// before this op. Queries: rope's tolerance (1e-5 + 5e-7 x max position, f32 angles). Keys and
// values are f16 in the cache: the reference is rounded to f16 too, and may land one f16 step
// (2^-10 relative) away where the f32 values sit near a rounding boundary.
TEST_P(AttentionInputsOp, MatchesNormRopeAndCopy) {
    const Case c = GetParam();
    const std::int64_t hd = c.head_dim, rows = (c.n_heads + 2 * c.n_kv) * hd;
    const float eps = 1e-6f;
    const auto qkv = random_tensor({rows, c.n_tokens, 1, 1}, 21);
    const auto q_norm = random_tensor({hd, 1, 1, 1}, 22, 0.5f, 1.5f);
    const auto k_norm = random_tensor({hd, 1, 1, 1}, 23, 0.5f, 1.5f);
    std::vector<std::int32_t> positions;
    const std::int64_t planes = c.mode == ops::RopeMode::multi ? 4 : 1;
    for (std::int64_t p = 0; p < planes; ++p)
        for (std::int64_t t = 0; t < c.n_tokens; ++t)
            positions.push_back(static_cast<std::int32_t>(p == 3 ? 0 : 40 + 3 * t + p));
    ops::RopeParams rope;
    rope.mode = c.mode;
    rope.freq_base = 10000.0f;
    if (c.mode == ops::RopeMode::multi) rope.sections = {2, 3, 3, 0};

    // part 0 query heads, 1 key heads, 2 value heads: [hd, heads, tokens] each.
    const auto part = [&](std::int64_t first_head, std::int64_t heads) {
        ops::HostTensor t({hd, heads, c.n_tokens, 1});
        for (std::int64_t n = 0; n < c.n_tokens; ++n)
            for (std::int64_t h = 0; h < heads; ++h)
                for (std::int64_t i = 0; i < hd; ++i)
                    t.at(i, h, n) = qkv.at((first_head + h) * hd + i, n);
        return t;
    };
    auto q = part(0, c.n_heads), k = part(c.n_heads, c.n_kv), v = part(c.n_heads + c.n_kv, c.n_kv);
    if (c.qk_norm) {
        q = ops::cpu::rms_norm(q, eps, &q_norm);
        k = ops::cpu::rms_norm(k, eps, &k_norm);
    }
    q = ops::cpu::rope(q, positions, rope);
    k = ops::cpu::rope(k, positions, rope);

    auto gqkv = upload(qkv), gqn = upload(q_norm), gkn = upload(k_norm);
    auto gpos =
        upload_raw(TensorType::I32, {static_cast<std::int64_t>(positions.size()), 1, 1, 1},
                   std::vector<std::uint8_t>(
                       reinterpret_cast<const std::uint8_t*>(positions.data()),
                       reinterpret_cast<const std::uint8_t*>(positions.data() + positions.size())));
    auto gq = empty(TensorType::F32, {c.hd_pad, c.n_heads, c.n_tokens, 1});
    // Cache slots as the decoder sees them: [hd, kv, tokens] views of [hd_pad, kv, n_ctx].
    auto k_cache = empty(TensorType::F16, {c.hd_pad, c.n_kv, c.n_tokens, 1});
    auto v_cache = empty(TensorType::F16, {c.hd_pad, c.n_kv, c.n_tokens, 1});
    gpu::Tensor k_slots = k_cache, v_slots = v_cache;
    k_slots.ne[0] = v_slots.ne[0] = hd;
    ops::AttentionInputParams params;
    params.rope = rope;
    params.eps = eps;
    if (c.qk_norm) {
        params.q_norm = &gqn;
        params.k_norm = &gkn;
    }
    run([&](gpu::Recorder& rec) {
        rec.fill_zero(gq.memory);
        rec.fill_zero(k_cache.memory);
        rec.fill_zero(v_cache.memory);
        ops::attention_inputs(rec, gqkv, gpos, gq, k_slots, v_slots, params);
    });

    const float max_pos = static_cast<float>(*std::max_element(positions.begin(), positions.end()));
    const auto got_q = download(gq);
    for (std::int64_t n = 0; n < c.n_tokens; ++n)
        for (std::int64_t h = 0; h < c.n_heads; ++h)
            for (std::int64_t i = 0; i < c.hd_pad; ++i) {
                const float e = i < hd ? q.at(i, h, n) : 0.0f;
                ASSERT_NEAR(got_q.at(i, h, n), e, 1e-5 + 5e-7 * max_pos)
                    << "q lane " << i << " head " << h << " token " << n;
            }
    const auto got_k = download(k_cache), got_v = download(v_cache);
    for (std::int64_t n = 0; n < c.n_tokens; ++n)
        for (std::int64_t h = 0; h < c.n_kv; ++h)
            for (std::int64_t i = 0; i < c.hd_pad; ++i) {
                const float ek = i < hd ? half_to_float(float_to_half(k.at(i, h, n))) : 0.0f;
                const float ev = i < hd ? half_to_float(float_to_half(v.at(i, h, n))) : 0.0f;
                ASSERT_NEAR(got_k.at(i, h, n), ek, 1e-3 * std::fabs(ek) + 1e-5)
                    << "k lane " << i << " head " << h << " token " << n;
                ASSERT_EQ(got_v.at(i, h, n), ev) << "v lane " << i << " head " << h;
            }
}

INSTANTIATE_TEST_SUITE_P(Modes, AttentionInputsOp,
                         ::testing::Values(Case{ops::RopeMode::normal, 16, 16, 4, 2, 3, false},
                                           Case{ops::RopeMode::neox, 64, 64, 6, 2, 2, true},
                                           Case{ops::RopeMode::neox, 20, 24, 2, 1, 1,
                                                true},  // padded heads
                                           Case{ops::RopeMode::multi, 16, 16, 2, 2, 3, false}),
                         [](const auto& p) {
                             const Case& c = p.param;
                             const char* mode = c.mode == ops::RopeMode::normal ? "normal"
                                                : c.mode == ops::RopeMode::neox ? "neox"
                                                                                : "multi";
                             return std::string(mode) + "_hd" + std::to_string(c.head_dim) +
                                    (c.qk_norm ? "_qknorm" : "");
                         });

}  // namespace
}  // namespace prism::test
