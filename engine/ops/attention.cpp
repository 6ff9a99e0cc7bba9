#include "prism/ops/attention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/half.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "attention";
constexpr std::uint32_t kDecodeGroup = 128;  // keys per chunk of the decode kernel
constexpr std::uint32_t kTiledGroup = 128;
constexpr std::uint32_t kMergeGroup = 128;
// CPU-tuned kernel: one llvmpipe subgroup per workgroup (its barriers then cost nothing), and
// at most this many keys per shared tile.
constexpr std::uint32_t kRowsGroup = 8;
constexpr std::uint32_t kRowsMaxKeys = 64;

struct AttentionPush {
    std::uint32_t q_first, q_token_stride, q_head_stride;
    std::uint32_t k_first, k_token_stride, k_head_stride;
    std::uint32_t v_first, v_token_stride, v_head_stride;
    std::uint32_t o_first, o_head_stride, o_token_stride;
    std::uint32_t n_q, n_kv, n_heads, group;
    std::int32_t q_pos0, window;
    std::uint32_t mask, kv_per_split;
    float scale, softcap;
    std::int32_t span_begin, span_end;
    std::uint32_t ring;
};

struct MergePush {
    std::uint32_t head_dim, n_heads, splits, partials_first, o_first, o_head_stride, o_token_stride;
};

struct Shape {
    std::int64_t head_dim, n_q, n_heads, n_kv, n_kv_heads;
};

struct DecodeSplit {
    std::uint32_t splits = 1;
    std::uint32_t kv_per_split = 0;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
    return (a + b - 1) / b;
}

// The kernels load and reduce heads in groups of this many lanes.
constexpr std::int64_t kHeadDimAlign = 8;

void check_params(const Shape& s, const AttentionParams& p) {
    require(s.head_dim % kHeadDimAlign == 0 && s.head_dim >= kHeadDimAlign && s.head_dim <= 256,
            kOp,
            "head_dim " + std::to_string(s.head_dim) + " is not supported (a multiple of " +
                std::to_string(kHeadDimAlign) + ", <= 256)");
    require(s.n_kv >= 1, kOp, "the KV cache view is empty (n_kv = 0)");
    require(s.n_q >= 1 && s.n_heads >= 1 && s.n_kv_heads >= 1, kOp, "empty query or head count");
    require(s.n_heads % s.n_kv_heads == 0, kOp,
            "n_heads " + std::to_string(s.n_heads) + " is not a multiple of n_kv_heads " +
                std::to_string(s.n_kv_heads));
    require(p.q_pos0 >= 0 && p.q_pos0 + s.n_q < std::numeric_limits<std::int32_t>::max(), kOp,
            "q_pos0 " + std::to_string(p.q_pos0) + " is out of range");
    require(p.mask != AttentionMask::sliding_window ||
                (p.window >= 1 && p.window < std::numeric_limits<std::int32_t>::max()),
            kOp, "a sliding window needs window >= 1, got " + std::to_string(p.window));
    require(p.span_begin >= 0 && p.span_begin <= p.span_end &&
                p.span_end < std::numeric_limits<std::int32_t>::max(),
            kOp,
            "non-causal span [" + std::to_string(p.span_begin) + ", " + std::to_string(p.span_end) +
                ") is not a valid range");
    require(p.scale >= 0.0f && std::isfinite(p.scale), kOp, "scale must be finite and >= 0");
    require(p.softcap >= 0.0f && std::isfinite(p.softcap), kOp, "softcap must be finite and >= 0");
}

float effective_scale(const AttentionParams& p, std::int64_t head_dim) {
    return p.scale != 0.0f ? p.scale
                           : static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim)));
}

bool use_decode_kernel(const AttentionParams& p, std::int64_t n_q) {
    return p.kernel == AttentionKernel::decode ||
           (p.kernel == AttentionKernel::automatic && n_q == 1);
}

// How many workgroups share one (query, head)'s keys. Few heads leave most of a big GPU idle
// during decode, so the key range is cut until there are enough workgroups; every split keeps
// whole chunks of kDecodeGroup keys.
DecodeSplit plan_decode_split(const gpu::DeviceInfo& device, const Shape& s,
                              const AttentionParams& p, std::uint64_t scratch_bytes) {
    const std::int64_t rows = s.n_q * s.n_heads;
    const std::int64_t chunks = ceil_div(s.n_kv, kDecodeGroup);
    std::int64_t splits = p.kv_splits;
    if (splits == 0) {
        const std::int64_t target_groups = device.kind == gpu::DeviceKind::cpu ? 16 : 512;
        splits = std::min(ceil_div(target_groups, rows), ceil_div(chunks, 2));
    }
    splits = std::clamp<std::int64_t>(splits, 1, chunks);
    const std::int64_t per_row = (s.head_dim + 2) * 4 * rows;
    splits = std::min<std::int64_t>(
        splits,
        static_cast<std::int64_t>(std::min<std::uint64_t>(scratch_bytes, 1ull << 62)) / per_row);
    if (splits < 2) return {1, u32(s.n_kv)};
    const std::int64_t per_split = ceil_div(ceil_div(s.n_kv, splits), kDecodeGroup) * kDecodeGroup;
    return {u32(ceil_div(s.n_kv, per_split)), u32(per_split)};
}

struct Tiles {
    std::uint32_t br, bc;
};

// Largest query x key tile whose Q, K/V and score tiles fit the device's shared memory.
Tiles plan_tiles(const gpu::DeviceInfo& device, std::int64_t head_dim) {
    constexpr Tiles kCandidates[] = {{32, 32}, {16, 32}, {16, 16}, {16, 8}};
    for (const Tiles t : kCandidates) {
        const std::uint64_t pitch = static_cast<std::uint64_t>(head_dim) + 1;
        const std::uint64_t bytes = 4 * ((t.br + t.bc) * pitch + t.br * t.bc + 3 * t.br);
        if (bytes <= device.max_shared_memory_bytes && (t.br * head_dim) % kTiledGroup == 0)
            return t;
    }
    throw Error("attention: head_dim " + std::to_string(head_dim) +
                " needs more shared memory than " + device.name + " has (" +
                std::to_string(device.max_shared_memory_bytes) + " bytes)");
}

bool use_rows_kernel(const gpu::DeviceInfo& device, const AttentionParams& p) {
    return p.kernel == AttentionKernel::tiled_cpu ||
           (p.kernel != AttentionKernel::tiled_gpu && device.kind == gpu::DeviceKind::cpu);
}

// Query rows each invocation of the CPU-tuned kernel keeps in registers: every K or V value it
// reads from shared memory (a slow per-lane loop on llvmpipe) feeds that many FMAs, but LLVM's
// compile time grows steeply with the registers held (rows x head_dim x 2: ~5 s at 512 floats,
// ~30 s at 1024, minutes at 2048 on a loaded 2-core machine).
std::uint32_t rows_per_invocation(std::int64_t head_dim) {
    return head_dim <= 80 ? 4 : head_dim <= 128 ? 2 : 1;
}

// Chosen automatically, attention over at most this many queries x keys (a short first prompt)
// keeps one row per invocation. lavapipe compiles a kernel when it first dispatches it, and
// with four rows that compile was most of a cold start's first answer (SmolLM2-135M, 31
// tokens: about 3 s of 6); one row compiles in a fraction of that and costs a few milliseconds
// more per layer here. Asked for by name (tiled_cpu), the kernel keeps its rows.
constexpr std::int64_t kOneRowMaxScores = 64 * 512;

std::uint32_t rows_per_invocation(const AttentionParams& p, const Shape& s) {
    const bool short_work =
        p.kernel == AttentionKernel::automatic && s.n_q * s.n_kv <= kOneRowMaxScores;
    return short_work ? 1 : rows_per_invocation(s.head_dim);
}

// Keys per tile of the CPU-tuned kernel (a multiple of 8): per key, f32 K and V rows and
// `score_slots` f32 scores share the device's shared memory.
std::uint32_t plan_rows_keys(const gpu::DeviceInfo& device, std::int64_t head_dim,
                             std::uint32_t score_slots) {
    const std::uint64_t per_key = 2 * 4 * static_cast<std::uint64_t>(head_dim) + 4 * score_slots;
    const std::uint64_t keys =
        std::min<std::uint64_t>(kRowsMaxKeys, device.max_shared_memory_bytes / per_key) / 8 * 8;
    if (keys < 8)
        throw Error("attention: head_dim " + std::to_string(head_dim) +
                    " needs more shared memory than " + device.name + " has (" +
                    std::to_string(device.max_shared_memory_bytes) + " bytes)");
    return static_cast<std::uint32_t>(keys);
}

std::uint32_t stride(const gpu::Tensor& t, int dim, std::uint64_t unit) {
    return u32(static_cast<std::int64_t>(t.nb[static_cast<std::size_t>(dim)] / unit));
}

void check_kv(std::string_view name, const gpu::Tensor& t, const Shape& s) {
    require_type(kOp, name, t, {TensorType::F16});
    require(t.ne[0] == s.head_dim && t.ne[3] == 1, kOp,
            std::string(name) + " is " + t.shape_string() + ", expected [head_dim " +
                std::to_string(s.head_dim) + ", n_kv, n_kv_heads]");
    require(t.nb[0] == 2, kOp, std::string(name) + ": head_dim must be contiguous");
    require(t.nb[1] % 8 == 0 && t.nb[2] % 8 == 0 && t.memory.offset % 8 == 0, kOp,
            std::string(name) + ": rows must start at multiples of 8 bytes");
}

}  // namespace

std::uint64_t attention_scratch_bytes(const gpu::DeviceInfo& device, std::int64_t head_dim,
                                      std::int64_t n_heads, std::int64_t n_q, std::int64_t n_kv,
                                      const AttentionParams& params) {
    if (!use_decode_kernel(params, n_q)) return 0;
    const Shape s{head_dim, n_q, n_heads, n_kv, 1};
    const auto split =
        plan_decode_split(device, s, params, std::numeric_limits<std::uint64_t>::max());
    if (split.splits < 2) return 0;
    return static_cast<std::uint64_t>(split.splits) * static_cast<std::uint64_t>(n_q * n_heads) *
           static_cast<std::uint64_t>(head_dim + 2) * 4;
}

std::int64_t attention_head_dim(std::int64_t head_dim) {
    return (head_dim + kHeadDimAlign - 1) / kHeadDimAlign * kHeadDimAlign;
}

gpu::Tensor kv_cache_view(const gpu::Tensor& cache, std::int64_t n_kv) {
    require_type("kv_cache_view", "cache", cache, {TensorType::F16});
    require(cache.is_contiguous() && cache.ne[3] == 1, "kv_cache_view",
            "cache must be contiguous [head_dim, n_kv_heads, n_ctx], got " + cache.shape_string());
    require(n_kv >= 1 && n_kv <= cache.ne[2], "kv_cache_view",
            "n_kv " + std::to_string(n_kv) + " is outside the cache's 1.." +
                std::to_string(cache.ne[2]));
    gpu::Tensor view = cache;
    view.ne = {cache.ne[0], n_kv, cache.ne[1], 1};
    view.nb = {cache.nb[0], cache.nb[2], cache.nb[1],
               cache.nb[2] * static_cast<std::uint64_t>(n_kv)};
    view.memory = cache.memory.sub(0, cache.nb[2] * static_cast<std::uint64_t>(n_kv));
    return view;
}

void attention(gpu::Recorder& rec, const gpu::Tensor& q, const gpu::Tensor& k, const gpu::Tensor& v,
               const gpu::Tensor& out, const AttentionParams& params, const gpu::Tensor* scratch) {
    require_type(kOp, "q", q, {TensorType::F32});
    require_type(kOp, "out", out, {TensorType::F32});
    require(q.ne[3] == 1 && q.nb[0] == 4, kOp,
            "q must be [head_dim, n_q, n_heads] with head_dim contiguous, got " + q.shape_string());
    const std::int64_t slots = k.ne[1];
    const bool ring = params.kv_rows > slots;
    const Shape s{q.ne[0], q.ne[1], q.ne[2], ring ? params.kv_rows : slots, k.ne[2]};
    check_kv("k", k, {s.head_dim, s.n_q, s.n_heads, slots, s.n_kv_heads});
    check_kv("v", v, {s.head_dim, s.n_q, s.n_heads, slots, s.n_kv_heads});
    require(params.kv_rows == 0 || params.kv_rows >= slots, kOp,
            "kv_rows " + std::to_string(params.kv_rows) + " is fewer than the cache's " +
                std::to_string(slots) + " slots");
    if (ring) {
        require(params.mask == AttentionMask::sliding_window &&
                    params.window + s.n_q - 1 <= slots && params.kv_rows <= INT32_MAX,
                kOp,
                "a ring cache of " + std::to_string(slots) + " slots cannot hold what " +
                    std::to_string(s.n_q) + " queries see (a sliding window of " +
                    std::to_string(params.window) + " keys each)");
    }
    require(v.ne == k.ne, kOp, "k " + k.shape_string() + " and v " + v.shape_string() + " differ");
    require(
        out.ne == std::array<std::int64_t, 4>{s.head_dim, s.n_heads, s.n_q, 1} && out.nb[0] == 4,
        kOp,
        "out is " + out.shape_string() + ", expected [head_dim " + std::to_string(s.head_dim) +
            ", n_heads " + std::to_string(s.n_heads) + ", n_q " + std::to_string(s.n_q) + "]");
    for (const gpu::Tensor* in : {&q, &k, &v}) {
        require(!out.memory.overlaps(in->memory), kOp, "out overlaps an input");
    }
    check_params(s, params);

    auto& ctx = rec.context();
    const auto& device = ctx.device();
    const auto bq = gpu::bind_in(ctx, q), bk = gpu::bind_in(ctx, k, 8),
               bv = gpu::bind_in(ctx, v, 8), bo = gpu::bind_out(ctx, out);
    AttentionPush p{};
    p.q_first = bq.first;
    p.q_token_stride = stride(q, 1, 4);
    p.q_head_stride = stride(q, 2, 4);
    p.k_first = bk.first;
    p.k_token_stride = stride(k, 1, 8);
    p.k_head_stride = stride(k, 2, 8);
    p.v_first = bv.first;
    p.v_token_stride = stride(v, 1, 8);
    p.v_head_stride = stride(v, 2, 8);
    p.o_first = bo.first;
    p.o_head_stride = stride(out, 1, 4);
    p.o_token_stride = stride(out, 2, 4);
    p.n_q = u32(s.n_q);
    p.n_kv = u32(s.n_kv);
    p.n_heads = u32(s.n_heads);
    p.group = u32(s.n_heads / s.n_kv_heads);
    p.q_pos0 = static_cast<std::int32_t>(params.q_pos0);
    p.window = static_cast<std::int32_t>(params.window);
    p.mask = params.mask == AttentionMask::none ? 0 : params.mask == AttentionMask::causal ? 1 : 2;
    p.kv_per_split = u32(s.n_kv);
    p.scale = effective_scale(params, s.head_dim);
    p.softcap = params.softcap;
    p.span_begin = static_cast<std::int32_t>(params.span_begin);
    p.span_end = static_cast<std::int32_t>(params.span_end);
    p.ring = ring ? u32(slots) : std::numeric_limits<std::uint32_t>::max();
    const auto d = u32(s.head_dim);

    const bool decode_kernel = use_decode_kernel(params, s.n_q);
    if (!decode_kernel && use_rows_kernel(device, params)) {
        const std::uint32_t rows = rows_per_invocation(params, s);
        const std::uint32_t keys =
            plan_rows_keys(device, s.head_dim, kRowsGroup * ((rows + 3) / 4 * 4));
        const std::array<std::uint32_t, 3> groups{u32(ceil_div(s.n_q, kRowsGroup * rows)),
                                                  u32(s.n_heads), 1};
        require(groups[0] <= device.max_workgroup_count[0] &&
                    groups[1] <= device.max_workgroup_count[1],
                kOp, "too many queries or heads for one dispatch");
        rec.dispatch(rec.pipeline("attention_rows", {kRowsGroup, d, keys, rows}),
                     {bq.arg, bk.arg, bv.arg, bo.arg}, p, groups, kOp);
        return;
    }
    if (!decode_kernel) {
        const Tiles tiles = plan_tiles(device, s.head_dim);
        const std::array<std::uint32_t, 3> groups{u32(ceil_div(s.n_q, tiles.br)), u32(s.n_heads),
                                                  1};
        require(groups[0] <= device.max_workgroup_count[0] &&
                    groups[1] <= device.max_workgroup_count[1],
                kOp, "too many queries or heads for one dispatch");
        // The rolled-loop build of the same kernel keeps LLVM compile times short on CPU drivers.
        const bool compact = device.kind == gpu::DeviceKind::cpu;
        rec.dispatch(rec.pipeline(compact ? "attention_tiled_compact" : "attention_tiled",
                                  {kTiledGroup, d, tiles.br, tiles.bc}),
                     {bq.arg, bk.arg, bv.arg, bo.arg}, p, groups, kOp);
        return;
    }

    std::uint64_t scratch_bytes = 0;
    if (scratch != nullptr) {
        require_type(kOp, "scratch", *scratch, {TensorType::F32});
        for (const gpu::Tensor* t : {&q, &k, &v, &out}) {
            require(!scratch->memory.overlaps(t->memory), kOp, "scratch overlaps an argument");
        }
        scratch_bytes = scratch->memory.size;
    }
    const DecodeSplit split = plan_decode_split(device, s, params, scratch_bytes);
    const std::array<std::uint32_t, 3> groups{split.splits, u32(s.n_heads), u32(s.n_q)};
    require(
        groups[1] <= device.max_workgroup_count[1] && groups[2] <= device.max_workgroup_count[2],
        kOp, "too many queries or heads for one decode dispatch");
    gpu::Arg k_arg = bk.arg, v_arg = bv.arg;
    const bool kv_texels = inputs_as_texels(device, {&k_arg, &v_arg}, gpu::Via::texel_uvec4);
    if (split.splits == 1) {
        rec.dispatch(rec.pipeline("attention_decode", {kDecodeGroup, d, kv_texels}),
                     {bq.arg, k_arg, v_arg, bo.arg}, p, groups, kOp);
        return;
    }
    const auto bs = gpu::bind_out(ctx, *scratch);
    p.o_first = bs.first;  // the split kernel writes partials, packed from scratch's start
    p.kv_per_split = split.kv_per_split;
    rec.dispatch(rec.pipeline("attention_decode_split", {kDecodeGroup, d, kv_texels}),
                 {bq.arg, k_arg, v_arg, bs.arg}, p, groups, "attention_split");
    const auto bs_in = gpu::bind_in(ctx, *scratch);
    const MergePush m{d,        u32(s.n_heads),    split.splits,     bs_in.first,
                      bo.first, stride(out, 1, 4), stride(out, 2, 4)};
    rec.dispatch(rec.pipeline("attention_merge", {kMergeGroup}), {bs_in.arg, bo.arg}, m,
                 {u32(s.n_heads), u32(s.n_q), 1}, "attention_merge");
}

namespace cpu {

HostTensor attention(const HostTensor& q, std::span<const std::uint16_t> k,
                     std::span<const std::uint16_t> v, std::int64_t n_kv, std::int64_t n_kv_heads,
                     const AttentionParams& params) {
    const Shape s{q.ne[0], q.ne[1], q.ne[2], n_kv, n_kv_heads};
    check_params(s, params);
    const auto kv_elements = static_cast<std::size_t>(s.head_dim * n_kv * n_kv_heads);
    require(k.size() == kv_elements && v.size() == kv_elements, kOp,
            "k/v size differs from the shape");
    const double scale = effective_scale(params, s.head_dim);
    const std::int64_t group = s.n_heads / n_kv_heads;
    const auto kv_at = [&](std::span<const std::uint16_t> t, std::int64_t d, std::int64_t j,
                           std::int64_t h) {
        return static_cast<double>(
            half_to_float(t[static_cast<std::size_t>((h * n_kv + j) * s.head_dim + d)]));
    };

    HostTensor out({s.head_dim, s.n_heads, s.n_q, 1});
    std::vector<double> scores(static_cast<std::size_t>(n_kv));
    for (std::int64_t h = 0; h < s.n_heads; ++h) {
        const std::int64_t hk = h / group;
        for (std::int64_t i = 0; i < s.n_q; ++i) {
            const std::int64_t pos = params.q_pos0 + i;
            double max_score = -std::numeric_limits<double>::infinity();
            for (std::int64_t j = 0; j < n_kv; ++j) {
                bool visible = true;
                if (params.mask != AttentionMask::none) {
                    const bool in_span = pos >= params.span_begin && pos < params.span_end;
                    visible = j <= pos || (in_span && j < params.span_end);
                }
                if (params.mask == AttentionMask::sliding_window)
                    visible = visible && j > pos - params.window;
                double sc = -std::numeric_limits<double>::infinity();
                if (visible) {
                    double dot = 0;
                    for (std::int64_t d = 0; d < s.head_dim; ++d)
                        dot += q.at(d, i, h) * kv_at(k, d, j, hk);
                    sc = dot * scale;
                    if (params.softcap > 0) sc = params.softcap * std::tanh(sc / params.softcap);
                }
                scores[static_cast<std::size_t>(j)] = sc;
                max_score = std::max(max_score, sc);
            }
            if (max_score == -std::numeric_limits<double>::infinity()) continue;  // sees nothing: 0
            double sum = 0;
            for (auto& sc : scores) {
                sc = std::exp(sc - max_score);
                sum += sc;
            }
            for (std::int64_t d = 0; d < s.head_dim; ++d) {
                double acc = 0;
                for (std::int64_t j = 0; j < n_kv; ++j)
                    acc += scores[static_cast<std::size_t>(j)] * kv_at(v, d, j, hk);
                out.at(d, h, i) = static_cast<float>(acc / sum);
            }
        }
    }
    return out;
}

}  // namespace cpu
}  // namespace prism::ops
