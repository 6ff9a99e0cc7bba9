#include "prism/ops/copy.hpp"

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/half.hpp"

namespace prism::ops {
namespace {

struct CopyPush {
    std::array<std::uint32_t, 4> sne, dne, ss, ds;
    std::uint32_t soff, doff;
};

}  // namespace

void copy(gpu::Recorder& rec, const gpu::Tensor& src, const gpu::Tensor& dst) {
    constexpr std::string_view op = "copy";
    require_type(op, "src", src, {TensorType::F32, TensorType::F16});
    require_type(op, "dst", dst, {TensorType::F32, TensorType::F16});
    require(src.elements() == dst.elements(), op,
            "src " + src.shape_string() + " and dst " + dst.shape_string() +
                " hold different numbers of elements");
    const bool src_half = src.type == TensorType::F16, dst_half = dst.type == TensorType::F16;
    const std::uint32_t su = element_bytes(src.type), du = element_bytes(dst.type);
    auto& ctx = rec.context();
    const auto bs = gpu::bind_in(ctx, src, su), bd = gpu::bind_out(ctx, dst, du);
    CopyPush p{shader_shape(src),
               shader_shape(dst),
               shader_strides(op, "src", src, su),
               shader_strides(op, "dst", dst, du),
               bs.first,
               bd.first};
    const char* variant = src_half ? (dst_half ? "copy_f16_f16" : "copy_f16_f32")
                                   : (dst_half ? "copy_f32_f16" : "copy_f32_f32");
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(src.elements()) + kGroup - 1) / kGroup);
    gpu::Arg s_arg = bs.arg;
    const bool texels = inputs_as_texels(ctx.device(), {&s_arg}, gpu::Via::texel_uvec4);
    rec.dispatch(rec.pipeline(variant, {kGroup, texels}), {s_arg, bd.arg}, p, groups, op);
}

namespace cpu {

HostTensor permute(const HostTensor& x, int axis0, int axis1, int axis2, int axis3) {
    const int axes[4] = {axis0, axis1, axis2, axis3};
    int seen = 0;
    for (int a : axes) {
        if (a < 0 || a > 3 || (seen & (1 << a)))
            throw Error("permute axes must be a permutation of 0..3");
        seen |= 1 << a;
    }
    std::array<std::int64_t, 4> ne{};
    for (int k = 0; k < 4; ++k)
        ne[static_cast<std::size_t>(axes[k])] = x.ne[static_cast<std::size_t>(k)];
    HostTensor out(ne);
    std::int64_t i[4];
    for (i[3] = 0; i[3] < x.ne[3]; ++i[3])
        for (i[2] = 0; i[2] < x.ne[2]; ++i[2])
            for (i[1] = 0; i[1] < x.ne[1]; ++i[1])
                for (i[0] = 0; i[0] < x.ne[0]; ++i[0]) {
                    std::int64_t j[4];
                    for (int k = 0; k < 4; ++k) j[axes[k]] = i[k];
                    out.at(j[0], j[1], j[2], j[3]) = x.at(i[0], i[1], i[2], i[3]);
                }
    return out;
}

HostTensor round_to_f16(const HostTensor& x) {
    HostTensor out(x.ne);
    for (std::size_t i = 0; i < x.data.size(); ++i)
        out.data[i] = half_to_float(float_to_half(x.data[i]));
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
