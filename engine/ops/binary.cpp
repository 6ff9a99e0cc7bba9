#include "prism/ops/binary.hpp"

#include <algorithm>

#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct BinaryPush {
    std::uint32_t ne[4];
    std::uint32_t bne[4];
    std::uint32_t as[4], bs[4], ds[4];  // strides in elements
    std::uint32_t aoff, boff, doff;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

}  // namespace

void add(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& b, const gpu::Tensor& out) {
    constexpr std::string_view op = "add";
    require_type(op, "a", a, {TensorType::F32});
    require_type(op, "b", b, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, a, out);
    for (int d = 0; d < 4; ++d) {
        require(a.ne[d] % b.ne[d] == 0, op,
                "b " + b.shape_string() + " does not broadcast over a " + a.shape_string());
    }
    auto& ctx = rec.context();
    const auto ba = gpu::bind_in(ctx, a), bb = gpu::bind_in(ctx, b), bd = gpu::bind_out(ctx, out);
    BinaryPush p{};
    for (int d = 0; d < 4; ++d) {
        p.ne[d] = u32(a.ne[d]);
        p.bne[d] = u32(b.ne[d]);
        p.as[d] = u32(static_cast<std::int64_t>(a.nb[d] / 4));
        p.bs[d] = u32(static_cast<std::int64_t>(b.nb[d] / 4));
        p.ds[d] = u32(static_cast<std::int64_t>(out.nb[d] / 4));
    }
    p.aoff = ba.first;
    p.boff = bb.first;
    p.doff = bd.first;
    const auto& dev = ctx.device();
    gpu::Arg a_arg = ba.arg, b_arg = bb.arg;
    const bool texels = inputs_as_texels(dev, {&a_arg, &b_arg});
    // Contiguous operands (residual adds, biases) index without dividing: a grid of rows.
    const std::uint64_t rows = static_cast<std::uint64_t>(a.ne[1] * a.ne[2] * a.ne[3]);
    const bool dense = a.is_contiguous() && out.is_contiguous() && b.is_contiguous();
    const bool bias_row = b.ne[0] == a.ne[0] && b.elements() == b.ne[0];
    const std::uint32_t layout = !dense ? 0 : b.ne == a.ne ? 1 : bias_row ? 2 : 0;
    constexpr std::uint32_t kRowGroup = 64;
    const std::uint64_t per_row = (static_cast<std::uint64_t>(a.ne[0]) + kRowGroup - 1) / kRowGroup;
    const std::uint64_t rows_y = std::min<std::uint64_t>(rows, dev.max_workgroup_count[1]);
    const std::uint64_t rows_z = (rows + rows_y - 1) / rows_y;
    if (layout != 0 && per_row <= dev.max_workgroup_count[0] &&
        rows_z <= dev.max_workgroup_count[2]) {
        rec.dispatch(rec.pipeline("binary_add", {kRowGroup, texels, layout}),
                     {a_arg, b_arg, bd.arg}, p,
                     {static_cast<std::uint32_t>(per_row), static_cast<std::uint32_t>(rows_y),
                      static_cast<std::uint32_t>(rows_z)},
                     op);
        return;
    }
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(a.elements()) + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline("binary_add", {kGroup, texels, 0u}), {a_arg, b_arg, bd.arg}, p,
                 groups, op);
}

namespace cpu {
HostTensor add(const HostTensor& a, const HostTensor& b) {
    HostTensor out(a.ne);
    for (std::int64_t i3 = 0; i3 < a.ne[3]; ++i3)
        for (std::int64_t i2 = 0; i2 < a.ne[2]; ++i2)
            for (std::int64_t i1 = 0; i1 < a.ne[1]; ++i1)
                for (std::int64_t i0 = 0; i0 < a.ne[0]; ++i0) {
                    const float x = a.at(i0, i1, i2, i3);
                    const float y = b.at(i0 % b.ne[0], i1 % b.ne[1], i2 % b.ne[2], i3 % b.ne[3]);
                    out.at(i0, i1, i2, i3) = x + y;
                }
    return out;
}
}  // namespace cpu

}  // namespace prism::ops
