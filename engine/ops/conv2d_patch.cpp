#include "prism/ops/conv2d_patch.hpp"

#include <string>

#include "ops/conv_gemm.hpp"
#include "ops/op_checks.hpp"
#include "prism/error.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "conv2d_patch";

struct Conv2dPatchPush {
    std::uint32_t xs[4];  // first: a uvec4 is 16-byte aligned in the shader's push block
    std::uint32_t m, n, k;
    std::uint32_t woff, boff, ooff, xoff;
    std::uint32_t patch, grid_w, per_image;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

std::string dims(std::int64_t a, std::int64_t b) {
    return std::to_string(a) + " x " + std::to_string(b);
}

}  // namespace

void conv2d_patch(gpu::Recorder& rec, const gpu::Tensor& image, const gpu::Tensor& weight,
                  const gpu::Tensor* bias, const gpu::Tensor& out) {
    const std::int64_t p = weight.ne[0];
    const std::int64_t channels = weight.ne[2], d = weight.ne[3];
    require(weight.ne[1] == p, kOp,
            "weight " + weight.shape_string() + " must be [P, P, C, D] with a square patch");
    require(image.ne[2] == channels, kOp,
            "image " + image.shape_string() + " has " + std::to_string(image.ne[2]) +
                " channels but weight " + weight.shape_string() + " expects " +
                std::to_string(channels));
    require(image.ne[0] % p == 0 && image.ne[1] % p == 0, kOp,
            "image of " + dims(image.ne[0], image.ne[1]) + " pixels is not a whole number of " +
                dims(p, p) + " patches");
    const std::int64_t grid_w = image.ne[0] / p, per_image = grid_w * (image.ne[1] / p);
    const std::int64_t n = per_image * image.ne[3];
    require(out.ne[0] == d && out.ne[1] == per_image && out.ne[2] == image.ne[3] && out.ne[3] == 1,
            kOp,
            "out is " + out.shape_string() + ", expected [" + std::to_string(d) + ", " +
                std::to_string(per_image) + ", " + std::to_string(image.ne[3]) + ", 1]");
    detail::check_conv_gemm_args(kOp, image, weight, bias, out, d);

    auto& ctx = rec.context();
    const auto b = detail::bind_conv_gemm(ctx, image, weight, bias, out);
    Conv2dPatchPush push{};
    push.m = u32(d);
    push.n = u32(n);
    push.k = u32(p * p * channels);
    push.woff = b.weight.first;
    push.boff = b.bias.first;
    push.ooff = b.out.first;
    push.xoff = b.input.first;
    push.patch = u32(p);
    push.grid_w = u32(grid_w);
    push.per_image = u32(per_image);
    for (int i = 0; i < 4; ++i) push.xs[i] = u32(static_cast<std::int64_t>(image.nb[i] / 4));
    const auto launch =
        detail::plan_conv_gemm(rec, kOp, "conv2d_patch", weight.type, static_cast<std::uint64_t>(d),
                               static_cast<std::uint64_t>(n), bias != nullptr);
    rec.dispatch(*launch.pipeline, {b.weight.arg, b.input.arg, b.bias.arg, b.out.arg}, push,
                 launch.groups, kOp);
}

namespace cpu {

HostTensor conv2d_patch(const HostTensor& image, const HostTensor& weight, const HostTensor* bias) {
    const std::int64_t p = weight.ne[0], channels = weight.ne[2], d = weight.ne[3];
    if (weight.ne[1] != p || image.ne[2] != channels || image.ne[0] % p != 0 ||
        image.ne[1] % p != 0 || (bias != nullptr && bias->elements() != d)) {
        throw Error("cpu::conv2d_patch: image, weight and bias shapes do not agree");
    }
    const std::int64_t grid_w = image.ne[0] / p, grid_h = image.ne[1] / p;
    HostTensor out({d, grid_w * grid_h, image.ne[3], 1});
    for (std::int64_t img = 0; img < image.ne[3]; ++img)
        for (std::int64_t py = 0; py < grid_h; ++py)
            for (std::int64_t px = 0; px < grid_w; ++px)
                for (std::int64_t o = 0; o < d; ++o) {
                    double acc = bias != nullptr ? bias->data[static_cast<std::size_t>(o)] : 0.0;
                    for (std::int64_t c = 0; c < channels; ++c)
                        for (std::int64_t ky = 0; ky < p; ++ky)
                            for (std::int64_t kx = 0; kx < p; ++kx) {
                                acc += static_cast<double>(weight.at(kx, ky, c, o)) *
                                       image.at(px * p + kx, py * p + ky, c, img);
                            }
                    out.at(o, py * grid_w + px, img) = static_cast<float>(acc);
                }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
