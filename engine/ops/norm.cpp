#include "prism/ops/norm.hpp"

#include <algorithm>

#include <cmath>

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "ops/reduction_mode.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct NormPush {
    std::array<std::uint32_t, 4> ne, xs, ds;
    std::uint32_t xoff, doff, woff, ws, boff, bs, flags;
    float eps;
};

constexpr std::uint32_t kHasWeight = 1, kHasBias = 2;

void check_vector(std::string_view op, std::string_view arg, const gpu::Tensor& v, std::int64_t n) {
    require_type(op, arg, v, {TensorType::F32});
    require(
        v.ne[0] == n && v.elements() == n, op,
        std::string(arg) + " is " + v.shape_string() + ", expected [" + std::to_string(n) + "]");
}

void norm(gpu::Recorder& rec, std::string_view kind, std::string_view op, const gpu::Tensor& x,
          const gpu::Tensor& out, float eps, const gpu::Tensor* weight, const gpu::Tensor* bias) {
    require_type(op, "x", x, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, x, out);
    require(std::isfinite(eps) && eps >= 0.0f, op, "eps must be finite and >= 0");
    if (weight) check_vector(op, "weight", *weight, x.ne[0]);
    if (bias) check_vector(op, "bias", *bias, x.ne[0]);

    auto& ctx = rec.context();
    const auto bx = gpu::bind_in(ctx, x), bd = gpu::bind_out(ctx, out);
    // Absent vectors bind x in their place; the flags keep the shader from reading them.
    const auto bw = gpu::bind_in(ctx, weight ? *weight : x),
               bb = gpu::bind_in(ctx, bias ? *bias : x);
    NormPush p{};
    p.ne = shader_shape(x);
    p.xs = shader_strides(op, "x", x, 4);
    p.ds = shader_strides(op, "out", out, 4);
    p.xoff = bx.first;
    p.doff = bd.first;
    p.woff = bw.first;
    p.ws = weight ? shader_strides(op, "weight", *weight, 4)[0] : 0;
    p.boff = bb.first;
    p.bs = bias ? shader_strides(op, "bias", *bias, 4)[0] : 0;
    p.flags = (weight ? kHasWeight : 0) | (bias ? kHasBias : 0);
    p.eps = eps;

    // Long rows get a wide workgroup; short ones (per-head norms) do not pay for idle lanes.
    // CPU devices run a workgroup's subgroups one after another and switch at every barrier:
    // one subgroup per row, as softmax().
    const auto& dev = ctx.device();
    const std::uint32_t wanted = dev.kind == gpu::DeviceKind::cpu ? std::max(dev.subgroup_size, 1u)
                                 : x.ne[0] >= 1024                ? 256
                                                                  : 64;
    const std::uint32_t group = reduce_group_size(wanted, dev.max_workgroup_invocations);
    std::string variant(kind);
    if (detail::use_subgroup_reduction(ctx)) variant += "_subgroup";
    const auto groups = gpu::spread_groups(ctx, static_cast<std::uint64_t>(x.rows()));
    gpu::Arg x_arg = bx.arg, w_arg = bw.arg, b_arg = bb.arg;
    const bool texels = inputs_as_texels(ctx.device(), {&x_arg, &w_arg, &b_arg});
    rec.dispatch(rec.pipeline(variant, {group, texels}), {x_arg, w_arg, b_arg, bd.arg}, p, groups,
                 op);
}

template <typename RowFn>
HostTensor for_each_row(const HostTensor& x, RowFn fn) {
    HostTensor out(x.ne);
    const std::size_t n = static_cast<std::size_t>(x.ne[0]);
    for (std::size_t r = 0; r < x.data.size() / n; ++r) fn(&x.data[r * n], &out.data[r * n], n);
    return out;
}

}  // namespace

void rms_norm(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float eps,
              const gpu::Tensor* weight) {
    norm(rec, "norm_rms", "rms_norm", x, out, eps, weight, nullptr);
}

void layer_norm(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float eps,
                const gpu::Tensor* weight, const gpu::Tensor* bias) {
    norm(rec, "norm_layer", "layer_norm", x, out, eps, weight, bias);
}

namespace cpu {

HostTensor rms_norm(const HostTensor& x, float eps, const HostTensor* weight) {
    return for_each_row(x, [&](const float* in, float* out, std::size_t n) {
        double sq = 0;
        for (std::size_t i = 0; i < n; ++i) sq += static_cast<double>(in[i]) * in[i];
        const double inv = 1.0 / std::sqrt(sq / static_cast<double>(n) + eps);
        for (std::size_t i = 0; i < n; ++i) {
            out[i] = static_cast<float>(in[i] * inv * (weight ? weight->data[i] : 1.0f));
        }
    });
}

HostTensor layer_norm(const HostTensor& x, float eps, const HostTensor* weight,
                      const HostTensor* bias) {
    return for_each_row(x, [&](const float* in, float* out, std::size_t n) {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) sum += in[i];
        const double mean = sum / static_cast<double>(n);
        double sq = 0;
        for (std::size_t i = 0; i < n; ++i) sq += (in[i] - mean) * (in[i] - mean);
        const double inv = 1.0 / std::sqrt(sq / static_cast<double>(n) + eps);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = (in[i] - mean) * inv * (weight ? weight->data[i] : 1.0f);
            out[i] = static_cast<float>(v + (bias ? bias->data[i] : 0.0f));
        }
    });
}

}  // namespace cpu
}  // namespace prism::ops
