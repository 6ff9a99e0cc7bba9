#include <string>
#include <vector>

#include "bench/attention_bench.hpp"
#include "bench/bench_options.hpp"
#include "bench/case_timer.hpp"
#include "bench/report.hpp"
#include "prism/gpu/context.hpp"
#include "prism/half.hpp"
#include "prism/ops/attention.hpp"

namespace prism::bench {
namespace {

gpu::Tensor filled(gpu::Context& ctx, std::vector<gpu::Buffer>& keep, TensorType type,
                   std::initializer_list<std::int64_t> shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    const std::uint64_t bytes = static_cast<std::uint64_t>(n) * tensor_type_info(type).block_bytes;
    keep.push_back(ctx.allocate(bytes));
    auto t = gpu::Tensor::contiguous(keep.back(), type, shape);
    if (type == TensorType::F16) {
        std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = float_to_half(static_cast<float>(i % 61) / 61.0f - 0.5f);
        ctx.upload(t.memory, std::span<const std::uint16_t>(v));
    } else {
        std::vector<float> v(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 53) / 53.0f - 0.5f;
        ctx.upload(t.memory, std::span<const float>(v));
    }
    return t;
}

}  // namespace

namespace {

struct AttentionCase {
    std::string op, model;
    std::int64_t head_dim, heads, kv_heads, n_q, n_kv;
    ops::AttentionMask mask;
};

ops::AttentionKernel prefill_kernel(const OpsOptions& o) {
    if (o.attention_kernel == "gpu") return ops::AttentionKernel::tiled_gpu;
    if (o.attention_kernel == "cpu") return ops::AttentionKernel::tiled_cpu;
    if (o.attention_kernel == "decode") return ops::AttentionKernel::decode;
    return ops::AttentionKernel::automatic;
}

void run_case(gpu::Context& ctx, const OpsOptions& o, Report& report, const AttentionCase& c) {
    const std::int64_t hd = c.head_dim, h = c.heads, hkv = c.kv_heads, n_kv = c.n_kv, n_q = c.n_q;
    std::vector<gpu::Buffer> keep;
    const auto cache_k = filled(ctx, keep, TensorType::F16, {hd, hkv, n_kv});
    const auto cache_v = filled(ctx, keep, TensorType::F16, {hd, hkv, n_kv});
    const auto k = ops::kv_cache_view(cache_k, n_kv), v = ops::kv_cache_view(cache_v, n_kv);
    const double kv_bytes = 2.0 * static_cast<double>(hd * hkv * n_kv) * 2.0;
    const auto q = filled(ctx, keep, TensorType::F32, {hd, n_q, h});
    const auto out = filled(ctx, keep, TensorType::F32, {hd, h, n_q});
    ops::AttentionParams p;
    p.mask = c.mask;
    p.q_pos0 = n_kv - n_q;
    if (n_q > 1) p.kernel = prefill_kernel(o);
    const auto scratch_bytes = ops::attention_scratch_bytes(ctx.device(), hd, h, n_q, n_kv, p);
    gpu::Tensor scratch;
    if (scratch_bytes > 0) {
        keep.push_back(ctx.allocate(scratch_bytes));
        scratch = gpu::Tensor::contiguous(keep.back(), TensorType::F32,
                                          {static_cast<std::int64_t>(scratch_bytes / 4)});
    }
    const auto t = time_case(
        ctx,
        [&](gpu::Recorder& rec) {
            ops::attention(rec, q, k, v, out, p, scratch_bytes > 0 ? &scratch : nullptr);
        },
        o.min_seconds);
    // Causal: query i sees q_pos0 + i + 1 keys; no mask: all of them.
    double pairs = 0;
    for (std::int64_t i = 0; i < n_q; ++i)
        pairs += c.mask == ops::AttentionMask::none ? static_cast<double>(n_kv)
                                                    : static_cast<double>(p.q_pos0 + i + 1);
    const double flops = 4.0 * static_cast<double>(hd * h) * pairs;
    const double bytes = kv_bytes + 2.0 * static_cast<double>(q.bytes());
    report.add({c.op, c.model, "F16 KV",
                "hd" + std::to_string(hd) + " h" + std::to_string(h) + "/" + std::to_string(hkv) +
                    " kv" + std::to_string(n_kv),
                t, bytes, flops});
}

}  // namespace

// Causal attention of one model's heads over an f16 KV cache: decode (one new token
// against the whole context) and prefill (every token of the context at once); then a
// vision encoder's non-causal attention (SigLIP-B/16: one 1024-token tile, 12 heads of 64).
void bench_attention(gpu::Context& ctx, const OpsOptions& o, Report& report) {
    for (const auto& model : model_shapes()) {
        if (!o.models.empty() && !o.models.count(model.name)) continue;
        for (const std::int64_t n_kv : o.contexts) {
            for (const std::int64_t n_q : {std::int64_t{1}, n_kv}) {
                run_case(ctx, o, report,
                         {n_q == 1 ? "attn-dec" : "attn-pre", model.name, model.head_dim,
                          model.heads, model.kv_heads, n_q, n_kv, ops::AttentionMask::causal});
            }
        }
    }
    if (o.models.empty() || o.models.count("SigLIP-B"))
        run_case(ctx, o, report,
                 {"attn-enc", "SigLIP-B", 64, 12, 12, 1024, 1024, ops::AttentionMask::none});
}

}  // namespace prism::bench
