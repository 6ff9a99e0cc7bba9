#include "prism/ops/pool.hpp"

#include <array>
#include <limits>
#include <string>

#include "ops/op_checks.hpp"
#include "prism/error.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

struct PoolPush {
    std::uint32_t ne[4];
    std::uint32_t xs[4], ys[4];
    std::uint32_t xoff, yoff;
    std::uint32_t kx, ky, sx, sy;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

std::string shape(const std::array<std::int64_t, 4>& ne) {
    return "[" + std::to_string(ne[0]) + ", " + std::to_string(ne[1]) + ", " +
           std::to_string(ne[2]) + ", " + std::to_string(ne[3]) + "]";
}

void require_window(std::string_view op, std::int64_t kernel, std::int64_t stride) {
    require(kernel >= 1 && stride >= 1, op,
            "kernel " + std::to_string(kernel) + " and stride " + std::to_string(stride) +
                " must both be at least 1");
}

std::int64_t output_length(std::string_view op, std::int64_t n, std::int64_t kernel,
                           std::int64_t stride) {
    require_window(op, kernel, stride);
    require(kernel <= n, op,
            "kernel " + std::to_string(kernel) + " is longer than the " + std::to_string(n) +
                " tokens it pools");
    return (n - kernel) / stride + 1;
}

// Pools dims 1 and 2 of `in` with windows kx x ky and strides sx x sy.
void pool(gpu::Recorder& rec, std::string_view op, const gpu::Tensor& in, const gpu::Tensor& out,
          std::int64_t kx, std::int64_t ky, std::int64_t sx, std::int64_t sy) {
    require_type(op, "in", in, {TensorType::F32});
    require_type(op, "out", out, {TensorType::F32});
    const std::array<std::int64_t, 4> expect{in.ne[0], output_length(op, in.ne[1], kx, sx),
                                             output_length(op, in.ne[2], ky, sy), in.ne[3]};
    require(out.ne == expect, op, "out is " + out.shape_string() + ", expected " + shape(expect));
    for (int d = 0; d < 4; ++d) {
        require(in.nb[d] % 4 == 0 && out.nb[d] % 4 == 0, op,
                "strides must be whole elements (in " + in.shape_string() + ", out " +
                    out.shape_string() + ")");
    }
    for (const auto* t : {&in, &out}) {
        require(t->memory.size / 4 < std::numeric_limits<std::uint32_t>::max(), op,
                t->shape_string() + " is too large for 32-bit indexing");
    }
    require(!in.memory.overlaps(out.memory), op, "out must not overlap in");

    auto& ctx = rec.context();
    const auto bi = gpu::bind_in(ctx, in), bo = gpu::bind_out(ctx, out);
    PoolPush p{};
    for (int d = 0; d < 4; ++d) {
        p.ne[d] = u32(out.ne[d]);
        p.xs[d] = u32(static_cast<std::int64_t>(in.nb[d] / 4));
        p.ys[d] = u32(static_cast<std::int64_t>(out.nb[d] / 4));
    }
    p.xoff = bi.first;
    p.yoff = bo.first;
    p.kx = u32(kx);
    p.ky = u32(ky);
    p.sx = u32(sx);
    p.sy = u32(sy);
    constexpr std::uint32_t kGroup = 256;
    const auto groups =
        gpu::spread_groups(ctx, (static_cast<std::uint64_t>(out.elements()) + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline("avg_pool", {kGroup}), {bi.arg, bo.arg}, p, groups, op);
}

HostTensor pool_cpu(const HostTensor& in, std::int64_t kx, std::int64_t ky, std::int64_t sx,
                    std::int64_t sy) {
    HostTensor out({in.ne[0], pool_output_length(in.ne[1], kx, sx),
                    pool_output_length(in.ne[2], ky, sy), in.ne[3]});
    for (std::int64_t b = 0; b < out.ne[3]; ++b)
        for (std::int64_t oy = 0; oy < out.ne[2]; ++oy)
            for (std::int64_t ox = 0; ox < out.ne[1]; ++ox)
                for (std::int64_t c = 0; c < out.ne[0]; ++c) {
                    double sum = 0;
                    for (std::int64_t j = 0; j < ky; ++j)
                        for (std::int64_t i = 0; i < kx; ++i)
                            sum += in.at(c, ox * sx + i, oy * sy + j, b);
                    out.at(c, ox, oy, b) = static_cast<float>(sum / static_cast<double>(kx * ky));
                }
    return out;
}

}  // namespace

std::int64_t pool_output_length(std::int64_t n, std::int64_t kernel, std::int64_t stride) {
    return output_length("pool", n, kernel, stride);
}

void avg_pool1d(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& out,
                std::int64_t kernel, std::int64_t stride) {
    pool(rec, "avg_pool1d", in, out, kernel, 1, stride, 1);
}

void avg_pool2d(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& out,
                std::int64_t kernel, std::int64_t stride) {
    pool(rec, "avg_pool2d", in, out, kernel, kernel, stride, stride);
}

namespace cpu {
HostTensor avg_pool1d(const HostTensor& in, std::int64_t kernel, std::int64_t stride) {
    return pool_cpu(in, kernel, 1, stride, 1);
}
HostTensor avg_pool2d(const HostTensor& in, std::int64_t kernel, std::int64_t stride) {
    return pool_cpu(in, kernel, kernel, stride, stride);
}
}  // namespace cpu

}  // namespace prism::ops
