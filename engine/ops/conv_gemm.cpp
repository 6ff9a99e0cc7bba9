#include "ops/conv_gemm.hpp"

#include <limits>
#include <string>

#include "ops/op_checks.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops::detail {
namespace {

struct Tiles {
    std::uint32_t bm, bn, bk;
};

// The shader gives each invocation a 4 x 4 block of the tile (TM = TN = 4 in conv_gemm.glsl).
constexpr std::uint32_t kPerInvocation = 4;

Tiles choose_tiles(const gpu::DeviceInfo& dev, std::uint64_t m, std::uint64_t n) {
    // 64 x 64 tiles (256 invocations, 8 KiB of shared memory with BK = 16) keep a GPU's ALUs
    // busy on real encoder sizes (M = 768..1280, N = 256..4096); small problems get 32 x 32
    // tiles so that fewer lanes idle on the ragged edge.
    const Tiles big{64, 64, 16};
    const Tiles small{32, 32, 8};
    const auto threads = [](const Tiles& t) {
        return (t.bm / kPerInvocation) * (t.bn / kPerInvocation);
    };
    const auto shared_bytes = [](const Tiles& t) { return (t.bm + t.bn) * t.bk * 4u; };
    if (m >= big.bm && n >= big.bn && threads(big) <= dev.max_workgroup_invocations &&
        shared_bytes(big) <= dev.max_shared_memory_bytes) {
        return big;
    }
    return small;
}

}  // namespace

void require_u32_indexable(std::string_view op, std::string_view arg, const gpu::Tensor& t) {
    // The largest element index any shader forms is bounded by the bound range in elements.
    const std::uint64_t unit = tensor_type_info(t.type).block_bytes;
    require(t.memory.size / unit < std::numeric_limits<std::uint32_t>::max(), op,
            std::string(arg) + " " + t.shape_string() + " is too large for 32-bit indexing");
}

void check_conv_gemm_args(std::string_view op, const gpu::Tensor& input, const gpu::Tensor& weight,
                          const gpu::Tensor* bias, const gpu::Tensor& out, std::int64_t m) {
    require_type(op, "input", input, {TensorType::F32});
    require_type(op, "weight", weight, {TensorType::F32, TensorType::F16});
    require_type(op, "out", out, {TensorType::F32});
    require(weight.is_contiguous(), op, "weight " + weight.shape_string() + " must be contiguous");
    require(out.is_contiguous(), op, "out " + out.shape_string() + " must be contiguous");
    for (int d = 0; d < 4; ++d) {
        require(input.nb[d] % 4 == 0, op,
                "input " + input.shape_string() + " has a stride that is not a whole element");
    }
    if (bias != nullptr) {
        require_type(op, "bias", *bias, {TensorType::F32});
        require(bias->is_contiguous() && bias->elements() == m, op,
                "bias is " + bias->shape_string() + ", expected " + std::to_string(m) +
                    " contiguous elements (one per output channel)");
        require_u32_indexable(op, "bias", *bias);
    }
    require_u32_indexable(op, "input", input);
    require_u32_indexable(op, "weight", weight);
    require_u32_indexable(op, "out", out);
}

ConvGemmBindings bind_conv_gemm(const gpu::Context& ctx, const gpu::Tensor& input,
                                const gpu::Tensor& weight, const gpu::Tensor* bias,
                                const gpu::Tensor& out) {
    ConvGemmBindings b;
    b.weight = gpu::bind_in(ctx, weight, weight.type == TensorType::F16 ? 2u : 4u);
    b.input = gpu::bind_in(ctx, input);
    b.bias = gpu::bind_in(ctx, bias != nullptr ? *bias : input);
    b.out = gpu::bind_out(ctx, out);
    return b;
}

ConvGemmLaunch plan_conv_gemm(gpu::Recorder& rec, std::string_view op, std::string_view shader_base,
                              TensorType weight_type, std::uint64_t m, std::uint64_t n,
                              bool has_bias) {
    const auto& dev = rec.context().device();
    const Tiles t = choose_tiles(dev, m, n);
    ConvGemmLaunch launch;
    launch.groups = {static_cast<std::uint32_t>((m + t.bm - 1) / t.bm),
                     static_cast<std::uint32_t>((n + t.bn - 1) / t.bn), 1};
    require(launch.groups[0] <= dev.max_workgroup_count[0] &&
                launch.groups[1] <= dev.max_workgroup_count[1],
            op,
            "output of " + std::to_string(m) + " x " + std::to_string(n) +
                " needs more workgroups than the device allows");
    const std::string shader =
        std::string(shader_base) + (weight_type == TensorType::F16 ? "_f16" : "_f32");
    const std::uint32_t threads = (t.bm / kPerInvocation) * (t.bn / kPerInvocation);
    launch.pipeline = &rec.pipeline(shader, {threads, t.bm, t.bn, t.bk, has_bias ? 1u : 0u});
    return launch;
}

}  // namespace prism::ops::detail
