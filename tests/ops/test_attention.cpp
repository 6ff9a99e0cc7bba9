#include "prism/ops/attention.hpp"

#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "prism/error.hpp"
#include "prism/half.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using ops::AttentionKernel;
using ops::AttentionMask;

struct AttnShape {
    std::int64_t head_dim, n_q, n_heads, n_kv, n_kv_heads;
};

class AttentionTest : public GpuTest {
  protected:
    // Uploads random q and a token-major KV cache [head_dim, n_kv_heads, n_kv + 3] whose three
    // extra tokens are NaN (reading past n_kv would poison the output), runs attention on the
    // kv_cache_view and compares with the CPU reference over the whole cache.
    // With `ring` slots instead, the cache is a ring holding the last `ring` of the n_kv rows
    // (row j in slot j % ring) and the slots of rows no query sees are NaN.
    void check(const AttnShape& s, const ops::AttentionParams& params, float q_range = 3.0f,
               std::int64_t ring = 0) {
        SCOPED_TRACE("head_dim " + std::to_string(s.head_dim) + ", n_q " + std::to_string(s.n_q) +
                     ", n_heads " + std::to_string(s.n_heads) + ", n_kv " + std::to_string(s.n_kv) +
                     ", n_kv_heads " + std::to_string(s.n_kv_heads) + ", ring " +
                     std::to_string(ring));
        const auto q = random_tensor({s.head_dim, s.n_q, s.n_heads, 1}, 21, -q_range, q_range);
        const auto kf = random_tensor({s.head_dim, s.n_kv, s.n_kv_heads, 1}, 22);
        const auto vf = random_tensor({s.head_dim, s.n_kv, s.n_kv_heads, 1}, 23);
        std::vector<std::uint16_t> k(kf.data.size()), v(vf.data.size());
        for (std::size_t i = 0; i < k.size(); ++i) {
            k[i] = float_to_half(kf.data[i]);
            v[i] = float_to_half(vf.data[i]);
        }

        const std::int64_t n_ctx = ring > 0 ? ring : s.n_kv + 3;
        std::vector<std::uint16_t> kc(static_cast<std::size_t>(s.head_dim * s.n_kv_heads * n_ctx),
                                      0x7e00);
        std::vector<std::uint16_t> vc = kc;
        // Under a ring, the rows before the first one any query sees stay NaN.
        const std::int64_t first_row =
            ring > 0 ? std::max(s.n_kv - ring, params.q_pos0 - params.window + 1) : 0;
        for (std::int64_t h = 0; h < s.n_kv_heads; ++h)
            for (std::int64_t j = first_row; j < s.n_kv; ++j)
                for (std::int64_t d = 0; d < s.head_dim; ++d) {
                    const auto src = static_cast<std::size_t>((h * s.n_kv + j) * s.head_dim + d);
                    const std::int64_t slot = ring > 0 ? j % ring : j;
                    const auto dst =
                        static_cast<std::size_t>((slot * s.n_kv_heads + h) * s.head_dim + d);
                    kc[dst] = k[src];
                    vc[dst] = v[src];
                }
        const auto bytes = [](const std::vector<std::uint16_t>& h) {
            std::vector<std::uint8_t> b(h.size() * 2);
            std::memcpy(b.data(), h.data(), b.size());
            return b;
        };
        const auto gk =
            upload_raw(TensorType::F16, {s.head_dim, s.n_kv_heads, n_ctx, 1}, bytes(kc));
        const auto gv =
            upload_raw(TensorType::F16, {s.head_dim, s.n_kv_heads, n_ctx, 1}, bytes(vc));

        // q as the rope op leaves it, [head_dim, n_heads, n_q], seen permuted.
        ops::HostTensor q_stored({s.head_dim, s.n_heads, s.n_q, 1});
        for (std::int64_t h = 0; h < s.n_heads; ++h)
            for (std::int64_t i = 0; i < s.n_q; ++i)
                for (std::int64_t d = 0; d < s.head_dim; ++d) q_stored.at(d, h, i) = q.at(d, i, h);
        const auto gq = upload(q_stored).permuted(0, 2, 1, 3);
        const auto gout = empty(TensorType::F32, {s.head_dim, s.n_heads, s.n_q, 1});
        const std::uint64_t scratch_bytes = ops::attention_scratch_bytes(
            ctx().device(), s.head_dim, s.n_heads, s.n_q, s.n_kv, params);
        gpu::Tensor scratch;
        if (scratch_bytes > 0)
            scratch =
                empty(TensorType::F32, {static_cast<std::int64_t>(scratch_bytes / 4), 1, 1, 1});
        ops::AttentionParams gpu_params = params;
        if (ring > 0) gpu_params.kv_rows = s.n_kv;
        const std::int64_t slots = ring > 0 ? ring : s.n_kv;
        run([&](gpu::Recorder& rec) {
            ops::attention(rec, gq, ops::kv_cache_view(gk, slots), ops::kv_cache_view(gv, slots),
                           gout, gpu_params, scratch_bytes > 0 ? &scratch : nullptr);
        });
        const auto expected = ops::cpu::attention(q, k, v, s.n_kv, s.n_kv_heads, params);
        // f32 dot products and online softmax against a double reference on identical f16
        // K/V: errors are a few f32 ulp of the logits (|logit| < ~20) carried through exp and
        // a convex combination of |v| <= 1; measured < 1e-6. 1e-5 + 1e-5 relative leaves room
        // for other GPUs' exp.
        EXPECT_TRUE(all_close(expected, download(gout), 1e-5f, 1e-5f));
    }
};

using Combo = std::tuple<AttentionKernel, AttentionMask, int, int, int>;
class AttentionGrid : public AttentionTest, public ::testing::WithParamInterface<Combo> {};

TEST_P(AttentionGrid, MatchesCpu) {
    const auto [kernel, mask, ratio, head_dim, n_kv] = GetParam();
    const bool decode = kernel == AttentionKernel::decode;
    const std::int64_t n_q = decode ? 1 : 19;  // 19: not a multiple of any query tile
    ops::AttentionParams p;
    p.kernel = kernel;
    p.mask = mask;
    p.window = 7;
    // Decode: the new token is the cache's last. Prefill: the queries are the last n_q
    // tokens, or start at 0 when the cache is shorter (then late queries see all keys, or
    // under the window none, which must give zeros).
    p.q_pos0 = decode ? n_kv - 1 : std::max<std::int64_t>(0, n_kv - n_q);
    check({head_dim, n_q, 2 * ratio, n_kv, 2}, p);
}

std::string combo_name(const ::testing::TestParamInfo<Combo>& param) {
    const auto [kernel, mask, ratio, head_dim, n_kv] = param.param;
    const char* masks[] = {"none", "causal", "sliding"};
    const char* kernels[] = {"auto", "decode", "tiled", "tiledgpu", "tiledcpu"};
    return std::string(kernels[static_cast<int>(kernel)]) + "_" + masks[static_cast<int>(mask)] +
           "_gqa" + std::to_string(ratio) + "_d" + std::to_string(head_dim) + "_kv" +
           std::to_string(n_kv);
}

INSTANTIATE_TEST_SUITE_P(
    Grid, AttentionGrid,
    ::testing::Combine(::testing::Values(AttentionKernel::decode, AttentionKernel::tiled_gpu,
                                         AttentionKernel::tiled_cpu),
                       ::testing::Values(AttentionMask::none, AttentionMask::causal,
                                         AttentionMask::sliding_window),
                       ::testing::Values(1, 2, 4), ::testing::Values(64, 128),
                       ::testing::Values(1, 17, 300)),
    combo_name);

ops::AttentionParams causal(AttentionKernel kernel, std::int64_t q_pos0) {
    ops::AttentionParams p;
    p.kernel = kernel;
    p.mask = AttentionMask::causal;
    p.q_pos0 = q_pos0;
    return p;
}

TEST_F(AttentionTest, DecodeSplitsTheKeysAndMerges) {
    auto p = causal(AttentionKernel::decode, 299);
    p.kv_splits = 3;  // 128 + 128 + 44 keys
    ASSERT_GT(ops::attention_scratch_bytes(ctx().device(), 128, 4, 1, 300, p), 0u);
    check({128, 1, 4, 300, 2}, p);
    p.mask = AttentionMask::sliding_window;
    p.window = 100;  // the first split sees no key at all
    check({128, 1, 4, 300, 2}, p);
}

TEST_F(AttentionTest, DecodeSplitsAutomaticallyForFewHeads) {
    auto p = causal(AttentionKernel::automatic, 999);
    EXPECT_GT(ops::attention_scratch_bytes(ctx().device(), 64, 2, 1, 1000, p), 0u);
    check({64, 1, 2, 1000, 1}, p);
}

TEST_F(AttentionTest, OtherHeadDimsAndLongCaches) {
    // head_dim 80 (Qwen2-VL ViT) and 256 (Gemma 3), n_kv 4100 (past 4096, not a tile multiple).
    check({80, 1, 2, 4100, 1}, causal(AttentionKernel::automatic, 4099));
    check({80, 37, 2, 300, 2}, ops::AttentionParams{});  // encoder: no mask, automatic = tiled
    check({256, 1, 2, 4100, 2}, causal(AttentionKernel::decode, 4099));
    auto swa = causal(AttentionKernel::tiled, 4100 - 33);
    swa.mask = AttentionMask::sliding_window;
    swa.window = 1024;
    check({256, 33, 2, 4100, 1}, swa);
}

TEST_F(AttentionTest, CpuTunedKernelTileEdges) {
    // Query blocks of 32 rows and key tiles of 64 (hd 64), 56 (hd 72), 16 (hd 256) keys on
    // lavapipe: several blocks with a partial last one, partial last key tiles, a block whose
    // rows see different key ranges, and Gemma 3 SigLIP's head_dim 72.
    auto p = causal(AttentionKernel::tiled_cpu, 130);
    check({64, 70, 2, 200, 1}, p);
    p.mask = AttentionMask::none;
    check({72, 33, 3, 130, 3}, p);
    p.mask = AttentionMask::sliding_window;
    p.window = 20;
    p.q_pos0 = 10;
    check({256, 40, 4, 50, 2}, p);
    // The automatic choice on a CPU device is this kernel; on a GPU, the shared-tile one.
    p.kernel = AttentionKernel::tiled;
    check({256, 40, 4, 50, 2}, p);
}

TEST_F(AttentionTest, SoftcapAndCustomScale) {
    for (auto kernel :
         {AttentionKernel::decode, AttentionKernel::tiled_gpu, AttentionKernel::tiled_cpu}) {
        auto p = causal(kernel, 200);
        p.softcap = 5.0f;
        p.scale = 0.5f;  // with |q| <= 8 many logits reach the cap's flat part
        check({128, kernel == AttentionKernel::decode ? 1 : 9, 4, 201, 2}, p, 8.0f);
    }
}

TEST_F(AttentionTest, KernelsHandleTheOtherShape) {
    check({64, 5, 4, 40, 2}, causal(AttentionKernel::decode, 35));     // decode kernel, 5 queries
    check({64, 1, 4, 40, 2}, causal(AttentionKernel::tiled_gpu, 39));  // tiled kernels, 1 query
    check({64, 1, 4, 40, 2}, causal(AttentionKernel::tiled_cpu, 39));
}

TEST_F(AttentionTest, NonCausalSpanSeesItsLaterKeys) {
    // A prefill of 40 queries at positions 10..49 whose rows 15..34 (absolute) form one image:
    // inside the span a query sees up to key 34, elsewhere the mask is causal (or the window).
    // The span begins inside one query tile and ends inside another, so tile ranges are mixed.
    for (auto kernel :
         {AttentionKernel::tiled_gpu, AttentionKernel::tiled_cpu, AttentionKernel::decode}) {
        for (auto mask : {AttentionMask::causal, AttentionMask::sliding_window}) {
            auto p = causal(kernel, 10);
            p.mask = mask;
            p.window = 12;
            p.span_begin = 15;
            p.span_end = 35;
            check({64, 40, 4, 50, 2}, p);
        }
    }
    // The span changes the result (the reference is not silently ignoring it).
    const auto q = random_tensor({64, 4, 2, 1}, 5);
    std::vector<std::uint16_t> k(64 * 8), v(64 * 8);
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = float_to_half(std::sin(0.1f * static_cast<float>(i)));
        v[i] = float_to_half(std::cos(0.3f * static_cast<float>(i)));
    }
    auto p = causal(AttentionKernel::tiled, 4);
    const auto plain = ops::cpu::attention(q, k, v, 8, 1, p);
    p.span_begin = 4;
    p.span_end = 8;
    const auto spanned = ops::cpu::attention(q, k, v, 8, 1, p);
    EXPECT_NE(plain.data[0], spanned.data[0]);
    EXPECT_EQ(plain.data[64 * 2 * 3], spanned.data[64 * 2 * 3]);  // the span's last row
    p.span_begin = 6;
    p.span_end = 5;
    EXPECT_THROW(ops::cpu::attention(q, k, v, 8, 1, p), Error);
}

// A sliding-window layer's ring cache: the visible keys wrap around the ring's end, inside a
// key tile and across query tiles; every kernel reads row j from slot j % ring.
TEST_F(AttentionTest, RingCacheWrapsTheWindow) {
    for (auto kernel :
         {AttentionKernel::decode, AttentionKernel::tiled_gpu, AttentionKernel::tiled_cpu}) {
        auto p = causal(kernel, 0);
        p.mask = AttentionMask::sliding_window;
        p.window = 40;
        // 37 queries at rows 263..299 over a ring of 80 slots (40 + 37 - 1 = 76 needed).
        p.q_pos0 = 263;
        check({64, 37, 4, 300, 2}, p, 3.0f, 80);
        check({256, 37, 2, 300, 1}, p, 3.0f, 76);
        // One new token, with the keys split over workgroups for the decode kernel.
        p.q_pos0 = 299;
        p.kv_splits = kernel == AttentionKernel::decode ? 3 : 0;
        check({128, 1, 4, 300, 2}, p, 3.0f, 45);
    }
    // A non-causal span (an image) inside the chunk sees its later keys through the ring too.
    auto p = causal(AttentionKernel::tiled_cpu, 150);
    p.mask = AttentionMask::sliding_window;
    p.window = 24;
    p.span_begin = 160;
    p.span_end = 170;
    check({64, 30, 2, 180, 2}, p, 3.0f, 53);
}

TEST_F(AttentionTest, RingCacheMustHoldTheWindow) {
    auto gq = upload(random_tensor({64, 2, 8, 1}, 1)).permuted(0, 2, 1, 3);  // 8 queries, 2 heads
    auto gk = upload_raw(TensorType::F16, {64, 1, 16, 1}, std::vector<std::uint8_t>(64 * 16 * 2));
    auto gout = empty(TensorType::F32, {64, 2, 8, 1});
    auto rec = ctx().record();
    const auto kv = ops::kv_cache_view(gk, 16);
    auto p = causal(AttentionKernel::automatic, 92);
    p.kv_rows = 100;
    EXPECT_THROW(ops::attention(rec, gq, kv, kv, gout, p), Error);  // causal: needs every row
    p.mask = AttentionMask::sliding_window;
    p.window = 10;  // 10 + 8 - 1 = 17 rows seen, 16 slots
    EXPECT_THROW(ops::attention(rec, gq, kv, kv, gout, p), Error);
    p.window = 9;
    EXPECT_NO_THROW(ops::attention(rec, gq, kv, kv, gout, p));
    p.kv_rows = 15;  // fewer rows than slots
    EXPECT_THROW(ops::attention(rec, gq, kv, kv, gout, p), Error);
}

TEST_F(AttentionTest, RejectsBadShapes) {
    auto gq = upload(random_tensor({64, 1, 3, 1}, 1));
    auto gk = upload_raw(TensorType::F16, {64, 2, 4, 1}, std::vector<std::uint8_t>(64 * 8 * 2));
    auto gout = empty(TensorType::F32, {64, 3, 1, 1});
    auto rec = ctx().record();
    const auto kv = ops::kv_cache_view(gk, 4);
    EXPECT_THROW(ops::attention(rec, gq, kv, kv, gout, {}), Error);  // 3 heads over 2 kv heads
    auto gq2 = upload(random_tensor({64, 1, 4, 1}, 1));
    EXPECT_THROW(ops::attention(rec, gq2, kv, kv, gout, {}), Error);  // out has 3 heads, not 4
    EXPECT_THROW(ops::kv_cache_view(gk, 5), Error);                   // past the cache
    auto gout4 = empty(TensorType::F32, {64, 4, 1, 1});
    ops::AttentionParams swa;
    swa.mask = AttentionMask::sliding_window;  // window 0
    EXPECT_THROW(ops::attention(rec, gq2, kv, kv, gout4, swa), Error);
}

}  // namespace
}  // namespace prism::test
