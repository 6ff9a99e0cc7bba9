#include "prism/ops/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "ops/reduction_mode.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "softmax";

struct SoftmaxPush {
    std::array<std::uint32_t, 4> ne, xs, ds;
    std::uint32_t xoff, doff, valid;
    float scale;
};

std::int64_t valid_count(const std::array<std::int64_t, 4>& ne, std::int64_t valid) {
    require(valid >= 0 && valid <= ne[0], kOp,
            "valid = " + std::to_string(valid) + " is outside 0.." + std::to_string(ne[0]));
    return valid == 0 ? ne[0] : valid;
}

}  // namespace

void softmax(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& out, float scale,
             std::int64_t valid) {
    require_type(kOp, "x", x, {TensorType::F32});
    require_type(kOp, "out", out, {TensorType::F32});
    require_same_shape(kOp, x, out);
    require(std::isfinite(scale), kOp, "scale must be finite");
    const std::int64_t n = valid_count(x.ne, valid);

    auto& ctx = rec.context();
    const auto bx = gpu::bind_in(ctx, x), bd = gpu::bind_out(ctx, out);
    SoftmaxPush p{};
    p.ne = shader_shape(x);
    p.xs = shader_strides(kOp, "x", x, 4);
    p.ds = shader_strides(kOp, "out", out, 4);
    p.xoff = bx.first;
    p.doff = bd.first;
    p.valid = static_cast<std::uint32_t>(n);
    p.scale = scale;
    // CPU devices run a workgroup's subgroups one after another and switch at every barrier:
    // one subgroup per row is fastest there.
    const auto& dev = ctx.device();
    const std::uint32_t wanted = dev.kind == gpu::DeviceKind::cpu ? std::max(dev.subgroup_size, 1u)
                                 : x.ne[0] >= 1024                ? 256
                                                                  : 64;
    const std::uint32_t group = reduce_group_size(wanted, dev.max_workgroup_invocations);
    const std::string variant =
        detail::use_subgroup_reduction(ctx) ? "softmax_subgroup" : "softmax";
    const auto groups = gpu::spread_groups(ctx, static_cast<std::uint64_t>(x.rows()));
    gpu::Arg x_arg = bx.arg;
    const bool texels = inputs_as_texels(ctx.device(), {&x_arg});
    rec.dispatch(rec.pipeline(variant, {group, texels}), {x_arg, bd.arg}, p, groups, kOp);
}

namespace cpu {

HostTensor softmax(const HostTensor& x, float scale, std::int64_t valid) {
    const std::int64_t n = valid_count(x.ne, valid);
    HostTensor out(x.ne);
    const auto row = static_cast<std::size_t>(x.ne[0]);
    for (std::size_t r = 0; r < x.data.size() / row; ++r) {
        const float* in = &x.data[r * row];
        double m = -std::numeric_limits<double>::infinity();
        for (std::int64_t i = 0; i < n; ++i) m = std::max(m, static_cast<double>(scale) * in[i]);
        double sum = 0;
        for (std::int64_t i = 0; i < n; ++i)
            sum += std::exp(static_cast<double>(scale) * in[i] - m);
        for (std::size_t i = 0; i < row; ++i) {
            out.data[r * row + i] =
                static_cast<std::int64_t>(i) < n
                    ? static_cast<float>(std::exp(static_cast<double>(scale) * in[i] - m) / sum)
                    : 0.0f;
        }
    }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
