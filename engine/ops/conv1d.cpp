#include "prism/ops/conv1d.hpp"

#include <string>

#include "ops/conv_gemm.hpp"
#include "ops/op_checks.hpp"
#include "prism/error.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "conv1d";

struct Conv1dPush {
    std::uint32_t m, n, k;
    std::uint32_t woff, boff, ooff, xoff;
    std::uint32_t taps, stride, pad, t_in;
    std::uint32_t xs_c, xs_t;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

}  // namespace

std::int64_t conv1d_output_length(std::int64_t t, std::int64_t kernel, Conv1dParams params) {
    require(kernel >= 1 && params.stride >= 1 && params.padding >= 0, kOp,
            "kernel " + std::to_string(kernel) + ", stride " + std::to_string(params.stride) +
                ", padding " + std::to_string(params.padding) +
                " is not a valid convolution (need kernel >= 1, stride >= 1, padding >= 0)");
    const std::int64_t padded = t + 2 * params.padding;
    require(padded >= kernel, kOp,
            "input of " + std::to_string(t) + " steps (" + std::to_string(padded) +
                " padded) is shorter than the kernel of " + std::to_string(kernel));
    return (padded - kernel) / params.stride + 1;
}

void conv1d(gpu::Recorder& rec, const gpu::Tensor& input, const gpu::Tensor& weight,
            const gpu::Tensor* bias, const gpu::Tensor& out, Conv1dParams params) {
    const std::int64_t taps = weight.ne[0], c_in = weight.ne[1], c_out = weight.ne[2];
    require(weight.ne[3] == 1, kOp,
            "weight " + weight.shape_string() + " must be [K, C_in, C_out]");
    require(input.ne[2] == 1 && input.ne[3] == 1, kOp,
            "input " + input.shape_string() + " must be 2-D [C_in, T]");
    require(input.ne[0] == c_in, kOp,
            "input " + input.shape_string() + " has " + std::to_string(input.ne[0]) +
                " channels but weight " + weight.shape_string() + " expects " +
                std::to_string(c_in));
    const std::int64_t t_out = conv1d_output_length(input.ne[1], taps, params);
    require(out.ne[0] == c_out && out.ne[1] == t_out && out.ne[2] == 1 && out.ne[3] == 1, kOp,
            "out is " + out.shape_string() + ", expected [" + std::to_string(c_out) + ", " +
                std::to_string(t_out) + ", 1, 1]");
    detail::check_conv_gemm_args(kOp, input, weight, bias, out, c_out);

    auto& ctx = rec.context();
    const auto b = detail::bind_conv_gemm(ctx, input, weight, bias, out);
    Conv1dPush push{};
    push.m = u32(c_out);
    push.n = u32(t_out);
    push.k = u32(taps * c_in);
    push.woff = b.weight.first;
    push.boff = b.bias.first;
    push.ooff = b.out.first;
    push.xoff = b.input.first;
    push.taps = u32(taps);
    push.stride = u32(params.stride);
    push.pad = u32(params.padding);
    push.t_in = u32(input.ne[1]);
    push.xs_c = u32(static_cast<std::int64_t>(input.nb[0] / 4));
    push.xs_t = u32(static_cast<std::int64_t>(input.nb[1] / 4));
    const auto launch =
        detail::plan_conv_gemm(rec, kOp, "conv1d", weight.type, static_cast<std::uint64_t>(c_out),
                               static_cast<std::uint64_t>(t_out), bias != nullptr);
    rec.dispatch(*launch.pipeline, {b.weight.arg, b.input.arg, b.bias.arg, b.out.arg}, push,
                 launch.groups, kOp);
}

namespace cpu {

HostTensor conv1d(const HostTensor& input, const HostTensor& weight, const HostTensor* bias,
                  Conv1dParams params) {
    const std::int64_t taps = weight.ne[0], c_in = weight.ne[1], c_out = weight.ne[2];
    if (input.ne[0] != c_in || (bias != nullptr && bias->elements() != c_out)) {
        throw Error("cpu::conv1d: input, weight and bias shapes do not agree");
    }
    const std::int64_t t_in = input.ne[1];
    const std::int64_t t_out = conv1d_output_length(t_in, taps, params);
    HostTensor out({c_out, t_out, 1, 1});
    for (std::int64_t t = 0; t < t_out; ++t)
        for (std::int64_t o = 0; o < c_out; ++o) {
            double acc = bias != nullptr ? bias->data[static_cast<std::size_t>(o)] : 0.0;
            for (std::int64_t c = 0; c < c_in; ++c)
                for (std::int64_t k = 0; k < taps; ++k) {
                    const std::int64_t src = t * params.stride + k - params.padding;
                    if (src < 0 || src >= t_in) continue;
                    acc += static_cast<double>(weight.at(k, c, o)) * input.at(c, src);
                }
            out.at(o, t) = static_cast<float>(acc);
        }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
