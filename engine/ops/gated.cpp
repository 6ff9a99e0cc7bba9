#include "prism/ops/gated.hpp"

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct GatedPush {
    std::array<std::uint32_t, 4> ne, gs, us, ds;
    std::uint32_t goff, uoff, doff;
};

const char* gated_variant(Activation act) {
    switch (act) {
        case Activation::silu:
            return "gated_silu";
        case Activation::gelu:
            return "gated_gelu";
        case Activation::gelu_erf:
            return "gated_gelu_erf";
        case Activation::gelu_quick:
            return "gated_gelu_quick";
    }
    throw Error("gated: unknown activation");
}

void record_gated(gpu::Recorder& rec, std::string_view op, Activation act, const gpu::Tensor& gate,
                  const gpu::Tensor& up, const gpu::Tensor& out) {
    auto& ctx = rec.context();
    const auto bg = gpu::bind_in(ctx, gate), bu = gpu::bind_in(ctx, up),
               bd = gpu::bind_out(ctx, out);
    GatedPush p{shader_shape(out),
                shader_strides(op, "gate", gate, 4),
                shader_strides(op, "up", up, 4),
                shader_strides(op, "out", out, 4),
                bg.first,
                bu.first,
                bd.first};
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(out.elements()) + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline(gated_variant(act), {kGroup}), {bg.arg, bu.arg, bd.arg}, p, groups,
                 op);
}

}  // namespace

void gated(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate, const gpu::Tensor& up,
           const gpu::Tensor& out) {
    const std::string_view op = gated_variant(act);
    require_type(op, "gate", gate, {TensorType::F32});
    require_type(op, "up", up, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, gate, up);
    require_same_shape(op, gate, out);
    record_gated(rec, op, act, gate, up, out);
}

void gated_fused(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate_up,
                 const gpu::Tensor& out) {
    const std::string_view op = gated_variant(act);
    require_type(op, "gate_up", gate_up, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    const std::int64_t n = out.ne[0];
    require(gate_up.ne[0] == 2 * n && gate_up.ne[1] == out.ne[1] && gate_up.ne[2] == out.ne[2] &&
                gate_up.ne[3] == out.ne[3],
            op,
            "fused gate_up " + gate_up.shape_string() + " must be twice as long as out " +
                out.shape_string() + " in dim 0 and equal in the others");
    // The two halves are plain views: same strides, the up half starts n elements further on.
    gpu::Tensor gate = gate_up;
    gate.ne[0] = n;
    gpu::Tensor up = gate;
    const std::uint64_t shift = static_cast<std::uint64_t>(n) * gate_up.nb[0];
    up.memory = gate_up.memory.sub(shift, gate_up.memory.size - shift);
    record_gated(rec, op, act, gate, up, out);
}

namespace cpu {

HostTensor gated(Activation act, const HostTensor& gate, const HostTensor& up) {
    HostTensor out(gate.ne);
    for (std::size_t i = 0; i < gate.data.size(); ++i) {
        out.data[i] = activate(act, gate.data[i]) * up.data[i];
    }
    return out;
}

HostTensor gated_fused(Activation act, const HostTensor& gate_up) {
    const std::int64_t n = gate_up.ne[0] / 2;
    HostTensor out({n, gate_up.ne[1], gate_up.ne[2], gate_up.ne[3]});
    for (std::int64_t i3 = 0; i3 < out.ne[3]; ++i3)
        for (std::int64_t i2 = 0; i2 < out.ne[2]; ++i2)
            for (std::int64_t i1 = 0; i1 < out.ne[1]; ++i1)
                for (std::int64_t i0 = 0; i0 < n; ++i0) {
                    out.at(i0, i1, i2, i3) =
                        activate(act, gate_up.at(i0, i1, i2, i3)) * gate_up.at(i0 + n, i1, i2, i3);
                }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
