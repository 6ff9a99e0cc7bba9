#include "prism/ops/scale.hpp"

#include <cmath>

#include "ops/element_layout.hpp"
#include "ops/op_checks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct ScalePush {
    std::array<std::uint32_t, 4> ne, as, ds;
    std::uint32_t aoff, doff;
    float s, b;
};

}  // namespace

void scale(gpu::Recorder& rec, const gpu::Tensor& a, const gpu::Tensor& out, float s, float b) {
    constexpr std::string_view op = "scale";
    require_type(op, "a", a, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    require_same_shape(op, a, out);
    auto& ctx = rec.context();
    const auto ba = gpu::bind_in(ctx, a), bd = gpu::bind_out(ctx, out);
    ScalePush p{shader_shape(a),
                shader_strides(op, "a", a, 4),
                shader_strides(op, "out", out, 4),
                ba.first,
                bd.first,
                s,
                b};
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(a.elements()) + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline("scale", {kGroup}), {ba.arg, bd.arg}, p, groups, op);
}

namespace cpu {
HostTensor scale(const HostTensor& a, float s, float b) {
    HostTensor out(a.ne);
    for (std::size_t i = 0; i < a.data.size(); ++i) {
        // Each step in double, rounded to float: exact products/sums rounded once (double has
        // more than 2 * 24 + 2 bits, so rounding twice is harmless), and no compiler may fuse
        // the float product into the sum across the explicit conversions.
        const float product = static_cast<float>(static_cast<double>(a.data[i]) * s);
        out.data[i] = static_cast<float>(static_cast<double>(product) + b);
    }
    return out;
}
}  // namespace cpu

}  // namespace prism::ops
