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

}  // namespace

void gated(gpu::Recorder& rec, Activation act, const gpu::Tensor& gate, const gpu::Tensor& up,
           const gpu::Tensor& out) {
    const std::string_view op = gated_variant(act);
    require_type(op, "gate", gate, {TensorType::F32});
    require_type(op, "up", up, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, gate, up);
    require_same_shape(op, gate, out);
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
    rec.dispatch(rec.pipeline(op, {kGroup}), {bg.arg, bu.arg, bd.arg}, p, groups, op);
}

namespace cpu {

HostTensor gated(Activation act, const HostTensor& gate, const HostTensor& up) {
    HostTensor out(gate.ne);
    for (std::size_t i = 0; i < gate.data.size(); ++i) {
        out.data[i] = activate(act, gate.data[i]) * up.data[i];
    }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
