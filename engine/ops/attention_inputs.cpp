#include "prism/ops/attention_inputs.hpp"

#include <string>

#include "ops/op_checks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "attention_inputs";

struct InputsPush {
    std::uint32_t sections[4];  // a uvec4 in the shader: kept first for its 16-byte alignment
    std::uint32_t head_dim, hd_pad, n_heads, n_kv_heads, n_tokens, n_rot;
    std::uint32_t qkv_first, qkv_stride, q_first, q_head_stride, q_token_stride;
    std::uint32_t k_first, v_first, kv_head_stride, kv_token_stride;
    std::uint32_t pos_first, ff_first, qn_first, kn_first;
    float log2_base, freq_scale, ext_factor, mscale, corr_low, corr_high, eps;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

}  // namespace

void attention_inputs(gpu::Recorder& rec, const gpu::Tensor& qkv, const gpu::Tensor& positions,
                      const gpu::Tensor& q_out, const gpu::Tensor& k, const gpu::Tensor& v,
                      const AttentionInputParams& params) {
    require_type(kOp, "qkv", qkv, {TensorType::F32});
    require_type(kOp, "q_out", q_out, {TensorType::F32});
    require_type(kOp, "k", k, {TensorType::F16});
    require_type(kOp, "v", v, {TensorType::F16});
    require_type(kOp, "positions", positions, {TensorType::I32});
    const std::int64_t head_dim = k.ne[0], n_kv = k.ne[1], n = k.ne[2];
    const std::int64_t hd_pad = q_out.ne[0], n_heads = q_out.ne[1];
    require(v.ne == k.ne && v.nb == k.nb, kOp,
            "k " + k.shape_string() + " and v " + v.shape_string() + " must be alike");
    require(head_dim % 2 == 0 && head_dim <= 256 && hd_pad >= head_dim, kOp,
            "head_dim " + std::to_string(head_dim) + " must be even, at most 256 and at most q's " +
                std::to_string(hd_pad));
    require(n_kv > 0 && n_heads % n_kv == 0, kOp, "query heads must be a multiple of kv heads");
    require(q_out.ne[2] == n && q_out.is_contiguous(), kOp,
            "q_out " + q_out.shape_string() + " must be contiguous with " + std::to_string(n) +
                " tokens");
    require(qkv.ne[0] == (n_heads + 2 * n_kv) * head_dim && qkv.ne[1] == n && qkv.ne[2] == 1 &&
                qkv.nb[0] == 4 && qkv.nb[1] % 4 == 0,
            kOp, "qkv " + qkv.shape_string() + " does not hold the heads of q_out, k and v");
    require(k.nb[0] == 2 && k.nb[1] % 2 == 0 && k.nb[2] % 2 == 0, kOp,
            "k and v must be f16 rows with even strides");
    const RopeParams& rope = params.rope;
    const std::int32_t n_rot = rope.n_rot == 0 ? static_cast<std::int32_t>(head_dim) : rope.n_rot;
    require(rope.mode != RopeMode::vision && n_rot > 0 && n_rot % 2 == 0 && n_rot <= head_dim, kOp,
            "rope: normal, neox or multi with an even n_rot up to head_dim");
    const std::int64_t planes = rope.mode == RopeMode::multi ? 4 : 1;
    require(positions.is_contiguous() && positions.elements() == planes * n, kOp,
            "positions hold " + std::to_string(positions.elements()) + " values, expected " +
                std::to_string(planes * n));
    require((params.q_norm == nullptr) == (params.k_norm == nullptr), kOp,
            "q_norm and k_norm come together");
    for (const gpu::Tensor* t : {params.q_norm, params.k_norm, params.freq_factors}) {
        if (t == nullptr) continue;
        require_type(kOp, "norm or freq_factors", *t, {TensorType::F32});
        require(t->is_contiguous(), kOp, "norms and freq_factors must be contiguous");
    }
    if (params.q_norm) {
        require(params.q_norm->elements() == head_dim && params.k_norm->elements() == head_dim, kOp,
                "q_norm and k_norm must hold head_dim values");
    }
    if (params.freq_factors) {
        require(params.freq_factors->elements() >= n_rot / 2, kOp,
                "freq_factors hold fewer than n_rot / 2 values");
    }

    auto& ctx = rec.context();
    const auto bqkv = gpu::bind_in(ctx, qkv), bp = gpu::bind_in(ctx, positions),
               bq = gpu::bind_out(ctx, q_out), bk = gpu::bind_out(ctx, k, 2),
               bv = gpu::bind_out(ctx, v, 2);
    // Unused bindings take the positions, which every variant reads.
    const auto bf = params.freq_factors ? gpu::bind_in(ctx, *params.freq_factors) : bp;
    const auto bqn = params.q_norm ? gpu::bind_in(ctx, *params.q_norm) : bp;
    const auto bkn = params.k_norm ? gpu::bind_in(ctx, *params.k_norm) : bp;

    InputsPush p{};
    for (int s = 0; s < 4; ++s)
        p.sections[s] = u32(rope.mode == RopeMode::multi ? rope.sections[s] : 1);
    p.head_dim = u32(head_dim);
    p.hd_pad = u32(hd_pad);
    p.n_heads = u32(n_heads);
    p.n_kv_heads = u32(n_kv);
    p.n_tokens = u32(n);
    p.n_rot = u32(n_rot);
    p.qkv_first = bqkv.first;
    p.qkv_stride = u32(static_cast<std::int64_t>(qkv.nb[1] / 4));
    p.q_first = bq.first;
    p.q_head_stride = u32(hd_pad);
    p.q_token_stride = u32(hd_pad * n_heads);
    p.k_first = bk.first;
    p.v_first = bv.first;
    p.kv_head_stride = u32(static_cast<std::int64_t>(k.nb[1] / 2));
    p.kv_token_stride = u32(static_cast<std::int64_t>(k.nb[2] / 2));
    p.pos_first = bp.first;
    p.ff_first = bf.first;
    p.qn_first = bqn.first;
    p.kn_first = bkn.first;
    const RopeAngleConstants a = rope_angle_constants(rope, n_rot);
    p.log2_base = a.log2_base;
    p.freq_scale = a.freq_scale;
    p.ext_factor = a.ext_factor;
    p.mscale = a.mscale;
    p.corr_low = a.corr_low;
    p.corr_high = a.corr_high;
    p.eps = params.eps;

    const auto& dev = ctx.device();
    const std::array<std::uint32_t, 3> groups{u32(n_heads + 2 * n_kv), u32(n), 1};
    require(groups[0] <= dev.max_workgroup_count[0] && groups[1] <= dev.max_workgroup_count[1], kOp,
            "too many heads or tokens for one dispatch");
    // One subgroup on CPU devices (no barrier costs between subgroups), 64 invocations else.
    const std::uint32_t threads =
        dev.kind == gpu::DeviceKind::cpu ? std::max<std::uint32_t>(dev.subgroup_size, 1) : 64;
    const std::uint32_t mode = rope.mode == RopeMode::normal ? 0
                               : rope.mode == RopeMode::neox ? 1
                                                             : 2;
    const std::string variant =
        dev.subgroup_arithmetic ? "attention_inputs_subgroup" : "attention_inputs";
    rec.dispatch(
        rec.pipeline(variant,
                     {threads, mode, params.freq_factors ? 1u : 0u, params.q_norm ? 1u : 0u}),
        {bqkv.arg, bp.arg, bf.arg, bqn.arg, bkn.arg, bq.arg, bk.arg, bv.arg}, p, groups, kOp);
}

}  // namespace prism::ops
