#include "prism/ops/matvec_fused.hpp"

#include <string>

#include "ops/lane_rows.hpp"
#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "ops/weight_chunks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/ops/matmul.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "matvec_fused";

struct FusedPush {
    std::uint32_t M, K, w_first, w_stride, x_first, x_stride, out_first, out_stride, m0;
    std::uint32_t nw_first, bias_first, res_first, res_stride, rw_first, xo_first, xo_stride;
    float eps;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

std::uint32_t column_stride(const gpu::Tensor& t) {
    return u32(static_cast<std::int64_t>(t.nb[1] / 4));
}

void require_vector(const gpu::Tensor& t, std::string_view name, std::int64_t n) {
    require_type(kOp, name, t, {TensorType::F32});
    require(t.is_contiguous() && t.elements() == n, kOp,
            std::string(name) + " " + t.shape_string() + " must be a contiguous f32 vector of " +
                std::to_string(n));
}

void require_columns(const gpu::Tensor& t, std::string_view name, std::int64_t rows,
                     std::int64_t n) {
    require_type(kOp, name, t, {TensorType::F32});
    require(t.ne[0] == rows && t.ne[1] == n && t.ne[2] == 1 && t.ne[3] == 1 && t.nb[0] == 4 &&
                t.nb[1] % 4 == 0,
            kOp,
            std::string(name) + " " + t.shape_string() + " should be [" + std::to_string(rows) +
                ", " + std::to_string(n) + "], contiguous along dim 0");
}

}  // namespace

void matvec_fused(gpu::Recorder& rec, const gpu::Tensor& weight, const gpu::Tensor& x,
                  const gpu::Tensor& out, const MatvecFusion& f) {
    auto& ctx = rec.context();
    const auto& dev = ctx.device();
    const bool gated = f.output == MatvecFusion::Output::gated;
    const std::int64_t K = weight.ne[0], N = x.ne[1];
    const std::int64_t M = gated ? weight.ne[1] / 2 : weight.ne[1];
    require(!gated || weight.ne[1] % 2 == 0, kOp,
            "a gated product needs gate and up rows: weight " + weight.shape_string());
    require(N >= 1 && N <= kMatvecMaxColumns, kOp,
            "x has " + std::to_string(N) + " columns, at most " +
                std::to_string(kMatvecMaxColumns) + " are supported");
    require_columns(x, "x", K, N);
    require_columns(out, "out", M, N);
    require(!out.memory.overlaps(x.memory), kOp, "out overlaps x");
    require(f.norm != nullptr || f.residual == nullptr, kOp,
            "a residual prologue needs the norm that follows it");
    require(!gated || (f.activation == Activation::silu || f.activation == Activation::gelu), kOp,
            "the gated epilogue takes silu or gelu");
    require(f.bias == nullptr || !gated, kOp, "a gated product takes no bias");
    if (f.norm != nullptr) require_vector(*f.norm, "norm", K);
    if (f.bias != nullptr) require_vector(*f.bias, "bias", M);
    if (f.residual != nullptr) {
        require(f.residual_norm != nullptr && f.x_out != nullptr, kOp,
                "a residual prologue needs residual_norm and x_out");
        require_columns(*f.residual, "residual", K, N);
        require_vector(*f.residual_norm, "residual_norm", K);
        require_columns(*f.x_out, "x_out", K, N);
        require(!f.x_out->memory.overlaps(x.memory) && !f.x_out->memory.overlaps(out.memory) &&
                    !f.x_out->memory.overlaps(f.residual->memory),
                kOp, "x_out overlaps x, out or residual");
    }
    const auto chunks = weight_chunks(ctx, kOp, weight);
    require(!gated || chunks.size() == 1, kOp,
            "a gated weight must fit one storage binding: " + weight.shape_string());

    const auto bx = gpu::bind_in(ctx, x);
    const auto bo = gpu::bind(ctx, out, true, 4);
    // Unused bindings take x, which every variant already reads.
    const auto bn = f.norm ? gpu::bind_in(ctx, *f.norm) : bx;
    const auto bb = f.bias ? gpu::bind_in(ctx, *f.bias) : bx;
    const auto br = f.residual ? gpu::bind_in(ctx, *f.residual) : bx;
    const auto bw = f.residual ? gpu::bind_in(ctx, *f.residual_norm) : bx;
    const auto bxo = f.residual ? gpu::bind_out(ctx, *f.x_out) : bo;

    FusedPush p{};
    p.K = u32(K);
    p.x_first = bx.first;
    p.x_stride = column_stride(x);
    p.out_first = bo.first;
    p.out_stride = column_stride(out);
    p.nw_first = bn.first;
    p.bias_first = bb.first;
    p.res_first = br.first;
    p.res_stride = f.residual ? column_stride(*f.residual) : 0;
    p.rw_first = bw.first;
    p.xo_first = bxo.first;
    p.xo_stride = f.residual ? column_stride(*f.x_out) : 0;
    p.eps = f.eps;
    bool x_vec = p.x_first % 4 == 0 && p.x_stride % 4 == 0;
    if (f.norm) x_vec = x_vec && p.nw_first % 4 == 0;
    if (f.residual)
        x_vec = x_vec && p.res_first % 4 == 0 && p.res_stride % 4 == 0 && p.rw_first % 4 == 0;

    // CPU devices (lavapipe): one subgroup per workgroup, reduced without barriers. Types with
    // a block decoder give each invocation rows of its own (lane rows, as matvec()); the others
    // split each row across the subgroup, with more rows per workgroup than matvec's since
    // every workgroup also pays for the norm of its input. Gated products read two rows per
    // output row, so they take half as many. GPUs: up to four subgroups, two rows each.
    const bool cpu = dev.kind == gpu::DeviceKind::cpu && dev.subgroup_arithmetic &&
                     dev.subgroup_size >= 4 && dev.subgroup_size <= dev.max_workgroup_invocations;
    const bool lane_rows = cpu && has_block_decoder(weight.type) && N <= kLaneRowsMaxColumns;
    std::uint32_t threads = 0, rows = 0;
    if (lane_rows) {
        threads = dev.subgroup_size;
        rows = cpu_matvec_rows(N);
    } else if (cpu) {
        threads = dev.subgroup_size;
        rows = N <= 2 ? 8u : N <= 4 ? 4u : 2u;
    } else {
        threads = std::bit_ceil(std::max<std::uint32_t>(dev.subgroup_size, 1) * 4);
        threads = std::clamp<std::uint32_t>(threads, 32, 128);
        threads = std::min(threads, std::bit_floor(dev.max_workgroup_invocations));
        rows = N > 4 ? 1u : 2u;
    }
    if (gated) rows = std::max(1u, rows / 2);
    const std::uint32_t in_mode = f.residual ? 2 : f.norm ? 1 : 0;
    const std::uint32_t out_mode = gated ? 2 : f.output == MatvecFusion::Output::accumulate ? 1 : 0;
    const std::uint32_t act = f.activation == Activation::gelu ? 1 : 0;
    const std::string variant =
        "matvec_fused_" + weight_variant(weight.type) + (dev.subgroup_arithmetic ? "" : "_shared");
    // CPU devices read x, the norm weights, the residual and its norm weights and the weights
    // as texels (ops/texel_reads.hpp). The shader finds them at bindings 8-11 in that order.
    const bool x_texels = texel_reads(dev) && x_vec && texels_fit(dev, bx.arg) &&
                          texels_fit(dev, bn.arg) && texels_fit(dev, br.arg) &&
                          texels_fit(dev, bw.arg);
    const auto texel_arg = [&](const gpu::Arg& a) {
        return x_texels ? as_texels(a, gpu::Via::texel_vec4) : a;
    };
    const gpu::Arg x_arg = texel_arg(bx.arg), nw_arg = texel_arg(bn.arg);
    const gpu::Arg res_arg = f.residual ? texel_arg(br.arg) : br.arg;
    const gpu::Arg rw_arg = f.residual ? texel_arg(bw.arg) : bw.arg;
    for (const auto& c : chunks) {
        const bool w_texels = texel_reads(dev) && texels_fit(dev, c.bound.arg);
        const gpu::Arg w_arg =
            w_texels ? as_texels(c.bound.arg, gpu::Via::texel_uvec4) : c.bound.arg;
        // Lane rows read 32-bit words from an even unit.
        const bool chunk_lane_rows = lane_rows && c.bound.first % 2 == 0;
        const auto& pipeline = rec.pipeline(
            variant, {threads, rows, u32(N), wide_rows(weight.type, c), x_vec, in_mode, out_mode,
                      act, f.bias != nullptr, w_texels, x_texels, chunk_lane_rows});
        p.M = gated ? u32(M) : c.rows;
        p.w_first = c.bound.first;
        p.w_stride = c.row_units;
        p.m0 = c.first_row;
        const std::uint32_t per_group = chunk_lane_rows ? threads * rows : rows;
        const auto groups = gpu::spread_groups(ctx, (p.M + per_group - 1) / per_group);
        rec.dispatch(pipeline, {w_arg, x_arg, bo.arg, nw_arg, bb.arg, res_arg, rw_arg, bxo.arg}, p,
                     groups, "matvec_fused");
    }
}

}  // namespace prism::ops
