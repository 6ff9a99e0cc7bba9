#include "prism/ops/softmax.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "ops/reduction_mode.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct SoftmaxPush {
    std::array<std::uint32_t, 4> ne, xs, ds, ms;
    std::uint32_t xoff, doff, moff;
    float scale, cap;
};

}  // namespace

void softmax(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out,
             const SoftmaxParams& params, const gpu::Tensor* mask) {
    constexpr std::string_view op = "softmax";
    require_type(op, "x", x, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, x, out);
    require(std::isfinite(params.scale), op, "scale must be finite");
    require(std::isfinite(params.soft_cap) && params.soft_cap >= 0.0f, op,
            "soft_cap must be finite and >= 0 (0 turns it off)");
    std::uint32_t mask_unit = 4;
    if (mask) {
        require_type(op, "mask", *mask, {TensorType::F32, TensorType::F16});
        require(mask->ne[0] == x.ne[0] && mask->ne[1] >= x.ne[1] && mask->ne[2] == 1 &&
                    mask->ne[3] == 1,
                op,
                "mask " + mask->shape_string() + " must be [ne0, >= ne1, 1, 1] for x " +
                    x.shape_string());
        mask_unit = element_bytes(mask->type);
    }

    auto& ctx = rec.context();
    const auto bx = gpu::bind_in(ctx, x), bd = gpu::bind_out(ctx, out);
    // Without a mask x fills the binding; the MASK_NONE shader never reads it.
    const auto bm = gpu::bind_in(ctx, mask ? *mask : x, mask_unit);
    SoftmaxPush p{};
    p.ne = shader_shape(x);
    p.xs = shader_strides(op, "x", x, 4);
    p.ds = shader_strides(op, "out", out, 4);
    if (mask) p.ms = shader_strides(op, "mask", *mask, mask_unit);
    p.xoff = bx.first;
    p.doff = bd.first;
    p.moff = bm.first;
    p.scale = params.scale;
    p.cap = params.soft_cap;

    std::string variant = !mask                           ? "softmax_mask_none"
                          : mask->type == TensorType::F16 ? "softmax_mask_f16"
                                                          : "softmax_mask_f32";
    if (detail::use_subgroup_reduction(ctx)) variant += "_subgroup";
    const std::uint32_t group =
        reduce_group_size(x.ne[0] >= 1024 ? 256 : 64, ctx.device().max_workgroup_invocations);
    const auto groups = gpu::spread_groups(ctx, static_cast<std::uint64_t>(x.rows()));
    rec.dispatch(rec.pipeline(variant, {group}), {bx.arg, bm.arg, bd.arg}, p, groups, op);
}

namespace cpu {

HostTensor softmax(const HostTensor& x, const SoftmaxParams& params, const HostTensor* mask) {
    HostTensor out(x.ne);
    const std::int64_t n = x.ne[0];
    std::vector<double> v(static_cast<std::size_t>(n));
    for (std::int64_t i3 = 0; i3 < x.ne[3]; ++i3)
        for (std::int64_t i2 = 0; i2 < x.ne[2]; ++i2)
            for (std::int64_t i1 = 0; i1 < x.ne[1]; ++i1) {
                double row_max = -std::numeric_limits<double>::infinity();
                for (std::int64_t i = 0; i < n; ++i) {
                    double t = static_cast<double>(x.at(i, i1, i2, i3)) * params.scale;
                    if (params.soft_cap > 0) t = params.soft_cap * std::tanh(t / params.soft_cap);
                    if (mask) t += mask->at(i, i1);
                    v[static_cast<std::size_t>(i)] = t;
                    row_max = std::max(row_max, t);
                }
                if (std::isinf(row_max) && row_max < 0) {
                    for (std::int64_t i = 0; i < n; ++i) out.at(i, i1, i2, i3) = 0.0f;
                    continue;
                }
                double sum = 0;
                for (auto& t : v) sum += (t = std::exp(t - row_max));
                for (std::int64_t i = 0; i < n; ++i) {
                    out.at(i, i1, i2, i3) =
                        static_cast<float>(v[static_cast<std::size_t>(i)] / sum);
                }
            }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
