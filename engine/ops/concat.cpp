#include "prism/ops/concat.hpp"

#include <limits>
#include <string>

#include "ops/op_checks.hpp"
#include "prism/error.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "concat";

struct ConcatPush {
    std::uint32_t ne[4];
    std::uint32_t as[4], bs[4], ds[4];  // strides in elements
    std::uint32_t aoff, boff, doff;
    std::uint32_t dim, split;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

std::array<std::int64_t, 4> concat_shape(const std::array<std::int64_t, 4>& a,
                                         const std::array<std::int64_t, 4>& b, int dim) {
    require(dim >= 0 && dim <= 3, kOp, "dim " + std::to_string(dim) + " is not in 0..3");
    auto out = a;
    out[static_cast<std::size_t>(dim)] += b[static_cast<std::size_t>(dim)];
    for (int d = 0; d < 4; ++d) {
        require(d == dim || a[static_cast<std::size_t>(d)] == b[static_cast<std::size_t>(d)], kOp,
                "a and b differ in dim " + std::to_string(d) + " (" +
                    std::to_string(a[static_cast<std::size_t>(d)]) + " vs " +
                    std::to_string(b[static_cast<std::size_t>(d)]) +
                    "), only the concatenated dim " + std::to_string(dim) + " may differ");
    }
    return out;
}

}  // namespace

void concat(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& b, const gpu::Tensor& out,
            int dim) {
    require_type(kOp, "a", a, {TensorType::F32, TensorType::F16});
    require_type(kOp, "b", b, {a.type});
    require_type(kOp, "out", out, {a.type});
    const auto expect = concat_shape(a.ne, b.ne, dim);
    require(out.ne == expect, kOp,
            "out is " + out.shape_string() + ", expected [" + std::to_string(expect[0]) + ", " +
                std::to_string(expect[1]) + ", " + std::to_string(expect[2]) + ", " +
                std::to_string(expect[3]) + "]");
    const std::uint32_t unit = a.type == TensorType::F16 ? 2 : 4;
    for (const auto* t : {&a, &b, &out}) {
        for (int d = 0; d < 4; ++d) {
            require(t->nb[d] % unit == 0, kOp,
                    t->shape_string() + " has a stride that is not a whole element");
        }
        require(t->memory.size / unit < std::numeric_limits<std::uint32_t>::max(), kOp,
                t->shape_string() + " is too large for 32-bit indexing");
    }
    require(!out.memory.overlaps(a.memory) && !out.memory.overlaps(b.memory), kOp,
            "out must not overlap a or b");

    auto& ctx = rec.context();
    const auto ba = gpu::bind_in(ctx, a, unit), bb = gpu::bind_in(ctx, b, unit);
    const auto bd = gpu::bind_out(ctx, out, unit);
    ConcatPush p{};
    for (int d = 0; d < 4; ++d) {
        p.ne[d] = u32(out.ne[d]);
        p.as[d] = u32(static_cast<std::int64_t>(a.nb[d] / unit));
        p.bs[d] = u32(static_cast<std::int64_t>(b.nb[d] / unit));
        p.ds[d] = u32(static_cast<std::int64_t>(out.nb[d] / unit));
    }
    p.aoff = ba.first;
    p.boff = bb.first;
    p.doff = bd.first;
    p.dim = u32(dim);
    p.split = u32(a.ne[static_cast<std::size_t>(dim)]);
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(out.elements()) + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline(a.type == TensorType::F16 ? "concat_f16" : "concat_f32", {kGroup}),
                 {ba.arg, bb.arg, bd.arg}, p, groups, kOp);
}

namespace cpu {

HostTensor concat(const HostTensor& a, const HostTensor& b, int dim) {
    HostTensor out(concat_shape(a.ne, b.ne, dim));
    const std::int64_t split = a.ne[static_cast<std::size_t>(dim)];
    for (std::int64_t i3 = 0; i3 < out.ne[3]; ++i3)
        for (std::int64_t i2 = 0; i2 < out.ne[2]; ++i2)
            for (std::int64_t i1 = 0; i1 < out.ne[1]; ++i1)
                for (std::int64_t i0 = 0; i0 < out.ne[0]; ++i0) {
                    std::array<std::int64_t, 4> c{i0, i1, i2, i3};
                    auto& at = c[static_cast<std::size_t>(dim)];
                    if (at < split) {
                        out.at(i0, i1, i2, i3) = a.at(c[0], c[1], c[2], c[3]);
                    } else {
                        at -= split;
                        out.at(i0, i1, i2, i3) = b.at(c[0], c[1], c[2], c[3]);
                    }
                }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
