#include "prism/ops/unary.hpp"

#include <cmath>
#include <numbers>

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct UnaryPush {
    std::array<std::uint32_t, 4> ne, xs, ds;
    std::uint32_t xoff, doff;
};

const char* unary_variant(Activation act) {
    switch (act) {
        case Activation::silu:
            return "unary_silu";
        case Activation::gelu:
            return "unary_gelu";
        case Activation::gelu_erf:
            return "unary_gelu_erf";
        case Activation::gelu_quick:
            return "unary_gelu_quick";
    }
    throw Error("unary: unknown activation");
}

}  // namespace

void unary(gpu::Recorder& rec, Activation act, const gpu::Tensor& x, const gpu::Tensor& out) {
    const std::string_view variant = unary_variant(act);
    const std::string_view op = variant;
    require_type(op, "x", x, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, x, out);
    auto& ctx = rec.context();
    const auto bx = gpu::bind_in(ctx, x), bd = gpu::bind_out(ctx, out);
    UnaryPush p{shader_shape(x), shader_strides(op, "x", x, 4), shader_strides(op, "out", out, 4),
                bx.first, bd.first};
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(x.elements()) + kGroup - 1) / kGroup);
    gpu::Arg x_arg = bx.arg;
    const bool texels = inputs_as_texels(ctx.device(), {&x_arg});
    const bool dense = x.is_contiguous() && out.is_contiguous();
    rec.dispatch(rec.pipeline(variant, {kGroup, texels, dense}), {x_arg, bd.arg}, p, groups, op);
}

namespace cpu {

float activate(Activation act, float x) {
    const double v = x;
    switch (act) {
        case Activation::silu:
            return static_cast<float>(v / (1.0 + std::exp(-v)));
        case Activation::gelu: {
            const double k = std::sqrt(2.0 / std::numbers::pi);
            return static_cast<float>(0.5 * v * (1.0 + std::tanh(k * (v + 0.044715 * v * v * v))));
        }
        case Activation::gelu_erf:
            return static_cast<float>(0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))));
        case Activation::gelu_quick:
            return static_cast<float>(v / (1.0 + std::exp(-1.702 * v)));
    }
    throw Error("unary: unknown activation");
}

HostTensor unary(Activation act, const HostTensor& x) {
    HostTensor out(x.ne);
    for (std::size_t i = 0; i < x.data.size(); ++i) out.data[i] = activate(act, x.data[i]);
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
