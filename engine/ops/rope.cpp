#include "prism/ops/rope.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "ops/op_checks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "rope";

struct RopePush {
    std::uint32_t sections[4];  // a uvec4 in the shader: kept first for its 16-byte alignment
    std::uint32_t head_dim, n_heads, n_tokens, n_rot;
    std::uint32_t x_first, x_head_stride, x_token_stride;
    std::uint32_t o_first, o_head_stride, o_token_stride;
    std::uint32_t pos_first, ff_first;
    float log2_base, freq_scale, ext_factor, mscale, corr_low, corr_high;
    std::uint32_t total_pairs;
};

bool is_multi(RopeMode mode) {
    return mode == RopeMode::multi || mode == RopeMode::vision;
}

std::int32_t effective_n_rot(const RopeParams& p, std::int64_t head_dim) {
    return p.n_rot == 0 ? static_cast<std::int32_t>(head_dim) : p.n_rot;
}

// Rotated pairs per head: vision mode rotates the whole head with n_rot = head_dim / 2.
std::int64_t rotated_pairs(RopeMode mode, std::int32_t n_rot) {
    return mode == RopeMode::vision ? n_rot : n_rot / 2;
}

void check_params(const RopeParams& p, std::int64_t head_dim, std::int64_t n_tokens,
                  std::int64_t n_positions, std::int64_t n_freq_factors, bool has_freq_factors) {
    const std::int32_t n_rot = effective_n_rot(p, head_dim);
    require(head_dim % 2 == 0, kOp, "head_dim " + std::to_string(head_dim) + " is odd");
    require(n_rot > 0 && n_rot % 2 == 0 && n_rot <= head_dim, kOp,
            "n_rot " + std::to_string(n_rot) + " must be even and in (0, head_dim " +
                std::to_string(head_dim) + "]");
    require(p.mode != RopeMode::vision || 2 * n_rot == head_dim, kOp,
            "vision mode needs n_rot = head_dim / 2, got n_rot " + std::to_string(n_rot));
    require(p.freq_base > 0 && p.freq_scale > 0, kOp, "freq_base and freq_scale must be > 0");
    require(p.ext_factor == 0 || p.n_ctx_orig > 0, kOp,
            "YaRN (ext_factor != 0) needs n_ctx_orig > 0");
    const std::int64_t planes = is_multi(p.mode) ? 4 : 1;
    require(n_positions == planes * n_tokens, kOp,
            "positions hold " + std::to_string(n_positions) + " values, expected " +
                std::to_string(planes * n_tokens) +
                (planes == 4 ? " (four planes t, h, w, e of n_tokens)" : " (one per token)"));
    if (is_multi(p.mode)) {
        std::int64_t sum = 0;
        for (auto s : p.sections) {
            require(s >= 0, kOp, "sections must not be negative");
            sum += s;
        }
        require(sum > 0, kOp, "multi/vision mode needs sections with a positive sum");
    }
    if (has_freq_factors) {
        require(n_freq_factors >= rotated_pairs(p.mode, n_rot), kOp,
                "freq_factors hold " + std::to_string(n_freq_factors) + " values, need " +
                    std::to_string(rotated_pairs(p.mode, n_rot)));
    }
}

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::uint32_t stride_floats(const gpu::Tensor& t, int dim) {
    return u32(static_cast<std::int64_t>(t.nb[dim] / 4));
}

}  // namespace

std::array<float, 2> rope_yarn_corr_dims(std::int32_t n_rot, std::int32_t n_ctx_orig,
                                         float freq_base, float beta_fast, float beta_slow) {
    // The pair index whose wavelength fits `rotations` times in the original context.
    const auto corr_dim = [&](float rotations) {
        return static_cast<float>(n_rot) *
               std::log(static_cast<float>(n_ctx_orig) /
                        (rotations * 2.0f * std::numbers::pi_v<float>)) /
               (2.0f * std::log(freq_base));
    };
    const float start = std::floor(corr_dim(beta_fast));
    const float end = std::ceil(corr_dim(beta_slow));
    return {std::max(0.0f, start), std::min(static_cast<float>(n_rot - 1), end)};
}

RopeAngleConstants rope_angle_constants(const RopeParams& params, std::int32_t n_rot) {
    const auto corr = rope_yarn_corr_dims(n_rot, params.n_ctx_orig, params.freq_base,
                                          params.beta_fast, params.beta_slow);
    float mscale = params.attn_factor;
    if (params.ext_factor != 0.0f) mscale *= 1.0f + 0.1f * std::log(1.0f / params.freq_scale);
    return {static_cast<float>(std::log2(static_cast<double>(params.freq_base))),
            params.freq_scale,
            params.ext_factor,
            mscale,
            corr[0],
            corr[1]};
}

void rope(gpu::Recorder& rec, const gpu::Tensor& x, const gpu::Tensor& positions,
          const gpu::Tensor& out, const RopeParams& params, const gpu::Tensor* freq_factors) {
    require_type(kOp, "x", x, {TensorType::F32});
    require_type(kOp, "out", out, {TensorType::F32});
    require_type(kOp, "positions", positions, {TensorType::I32});
    require_same_shape(kOp, x, out);
    require(x.ne[3] == 1, kOp, "x must be [head_dim, n_heads, n_tokens], got " + x.shape_string());
    require(x.nb[0] == 4 && out.nb[0] == 4, kOp, "head_dim must be contiguous in x and out");
    require(positions.is_contiguous(), kOp, "positions must be contiguous");
    if (out.memory.overlaps(x.memory)) {
        require(out.memory.offset == x.memory.offset && out.nb == x.nb, kOp,
                "out overlaps x without being x itself (in place)");
    }
    if (freq_factors != nullptr) {
        require_type(kOp, "freq_factors", *freq_factors, {TensorType::F32});
        require(freq_factors->is_contiguous(), kOp, "freq_factors must be contiguous");
    }
    const std::int64_t head_dim = x.ne[0];
    check_params(params, head_dim, x.ne[2], positions.elements(),
                 freq_factors ? freq_factors->elements() : 0, freq_factors != nullptr);

    auto& ctx = rec.context();
    const auto bx = gpu::bind_in(ctx, x), bp = gpu::bind_in(ctx, positions),
               bo = gpu::bind_out(ctx, out);
    // Without factors the shader never reads binding 2; positions stand in for it.
    const auto bf = freq_factors ? gpu::bind_in(ctx, *freq_factors) : bp;

    const std::int32_t n_rot = effective_n_rot(params, head_dim);

    RopePush p{};
    p.head_dim = u32(head_dim);
    p.n_heads = u32(x.ne[1]);
    p.n_tokens = u32(x.ne[2]);
    p.n_rot = u32(n_rot);
    p.x_first = bx.first;
    p.x_head_stride = stride_floats(x, 1);
    p.x_token_stride = stride_floats(x, 2);
    p.o_first = bo.first;
    p.o_head_stride = stride_floats(out, 1);
    p.o_token_stride = stride_floats(out, 2);
    p.pos_first = bp.first;
    p.ff_first = bf.first;
    const RopeAngleConstants a = rope_angle_constants(params, n_rot);
    p.log2_base = a.log2_base;
    p.freq_scale = a.freq_scale;
    p.ext_factor = a.ext_factor;
    p.mscale = a.mscale;
    p.corr_low = a.corr_low;
    p.corr_high = a.corr_high;
    for (int s = 0; s < 4; ++s) p.sections[s] = u32(is_multi(params.mode) ? params.sections[s] : 1);
    const std::uint64_t total = static_cast<std::uint64_t>(head_dim / 2) * p.n_heads * p.n_tokens;
    p.total_pairs = static_cast<std::uint32_t>(total);
    require(total < (1ull << 32), kOp, "x is too large");

    const std::uint32_t mode = params.mode == RopeMode::normal  ? 0
                               : params.mode == RopeMode::neox  ? 1
                               : params.mode == RopeMode::multi ? 2
                                                                : 3;
    constexpr std::uint32_t kGroup = 256;
    const auto groups = gpu::spread_groups(ctx, (total + kGroup - 1) / kGroup);
    rec.dispatch(rec.pipeline("rope", {kGroup, mode, freq_factors ? 1u : 0u}),
                 {bx.arg, bp.arg, bf.arg, bo.arg}, p, groups, kOp);
}

namespace cpu {

HostTensor rope(const HostTensor& x, std::span<const std::int32_t> positions,
                const RopeParams& params, std::span<const float> freq_factors) {
    const std::int64_t head_dim = x.ne[0], n_heads = x.ne[1], n_tokens = x.ne[2];
    check_params(params, head_dim, n_tokens, static_cast<std::int64_t>(positions.size()),
                 static_cast<std::int64_t>(freq_factors.size()), !freq_factors.empty());
    const std::int32_t n_rot = effective_n_rot(params, head_dim);
    const auto corr = rope_yarn_corr_dims(n_rot, params.n_ctx_orig, params.freq_base,
                                          params.beta_fast, params.beta_slow);
    double mscale = params.attn_factor;
    if (params.ext_factor != 0.0f) mscale *= 1.0 + 0.1 * std::log(1.0 / params.freq_scale);
    const auto& s = params.sections;
    const std::int64_t sect_dims = s[0] + s[1] + s[2] + s[3];

    HostTensor out = x;
    for (std::int64_t t = 0; t < n_tokens; ++t) {
        for (std::int64_t i = 0; i < rotated_pairs(params.mode, n_rot); ++i) {
            std::int64_t position = positions[static_cast<std::size_t>(t)];
            std::int64_t exponent = i;
            if (is_multi(params.mode)) {
                const std::int64_t sector = i % sect_dims;
                std::int64_t plane = 0, start = 0;
                for (; plane < 3 && sector >= start + s[static_cast<std::size_t>(plane)]; ++plane) {
                    start += s[static_cast<std::size_t>(plane)];
                }
                position = positions[static_cast<std::size_t>(plane * n_tokens + t)];
                if (params.mode == RopeMode::vision) exponent = sector - start;
            }
            double theta = static_cast<double>(position) *
                           std::pow(static_cast<double>(params.freq_base),
                                    -2.0 * static_cast<double>(exponent) / n_rot);
            if (!freq_factors.empty()) theta /= freq_factors[static_cast<std::size_t>(i)];
            double mix = 0.0;
            if (params.ext_factor != 0.0f) {
                const double y = (static_cast<double>(i) - corr[0]) /
                                 std::max(0.001, static_cast<double>(corr[1] - corr[0]));
                mix = (1.0 - std::clamp(y, 0.0, 1.0)) * params.ext_factor;
            }
            theta *= params.freq_scale * (1.0 - mix) + mix;
            const double c = std::cos(theta) * mscale, sn = std::sin(theta) * mscale;
            std::int64_t i0 = 2 * i, i1 = 2 * i + 1;
            if (params.mode == RopeMode::vision) {
                i0 = i;
                i1 = i + n_rot;
            } else if (params.mode != RopeMode::normal) {
                i0 = i;
                i1 = i + n_rot / 2;
            }
            for (std::int64_t h = 0; h < n_heads; ++h) {
                const double a = x.at(i0, h, t), b = x.at(i1, h, t);
                out.at(i0, h, t) = static_cast<float>(a * c - b * sn);
                out.at(i1, h, t) = static_cast<float>(a * sn + b * c);
            }
        }
    }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
