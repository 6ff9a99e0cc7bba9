#include "prism/ops/matmul.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string>

#include "gpu/shader_registry.hpp"
#include "ops/lane_rows.hpp"
#include "ops/op_checks.hpp"
#include "ops/texel_reads.hpp"
#include "ops/weight_chunks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/quant.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "matmul";

// Shared by matvec.comp and matmul.comp (matvec ignores N).
struct MatmulPush {
    std::uint32_t M, K, w_first, w_stride, x_first, x_stride, out_first, out_stride, m0, N;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

struct Tiles {
    std::uint32_t bm, bn, bk, tm, tn;
    std::uint32_t threads() const { return (bm / tm) * (bn / tn); }
    std::uint64_t shared_bytes() const { return 4ull * bk * ((bm + 1) + (bn + 1)); }
};

// Big register-blocked tiles where the matrix and the device allow them, smaller ones for
// narrow products so that fewer threads work on padding.
Tiles choose_tiles(const gpu::DeviceInfo& dev, std::int64_t M, std::int64_t N) {
    const auto fits = [&](const Tiles& t) {
        return t.shared_bytes() <= dev.max_shared_memory_bytes &&
               t.threads() <= dev.max_workgroup_invocations;
    };
    // BK stays 32, the chunk matmul.comp decodes per thread (a legacy block, a K-quant
    // sub-block). CPU devices (lavapipe runs invocations 8 at a time on a few cores) do best
    // with few threads each holding an 8 x 8 register block: fewer shared-memory loads per
    // FMA and fewer invocations to step through each barrier.
    const Tiles large{128, 128, 32, 8, 8};
    const Tiles cpu{64, 64, 32, 8, 8};
    const Tiles medium{64, 64, 32, 4, 4};
    const Tiles narrow{64, 32, 32, 4, 2};
    // PRISM_MATMUL_TILES=large|medium|narrow|cpu forces one tile shape (with
    // PRISM_MATMUL_TILED=1 on CPU devices), so that lavapipe tests each.
    if (const char* env = std::getenv("PRISM_MATMUL_TILES"); env != nullptr && *env != 0) {
        const std::string_view want(env);
        const Tiles* forced = want == "large"    ? &large
                              : want == "medium" ? &medium
                              : want == "narrow" ? &narrow
                              : want == "cpu"    ? &cpu
                                                 : nullptr;
        if (forced == nullptr)
            throw Error("PRISM_MATMUL_TILES=" + std::string(want) +
                        ": expected large, medium, narrow or cpu");
        if (!fits(*forced))
            throw Error("matmul: device " + dev.name + " cannot run the " + std::string(want) +
                        " tiles (PRISM_MATMUL_TILES)");
        return *forced;
    }
    if (dev.kind == gpu::DeviceKind::cpu && N > 32 && fits(cpu)) return cpu;
    if (M >= 512 && N >= 128 && dev.max_shared_memory_bytes >= 48 * 1024 && fits(large))
        return large;
    if (N > 32 && fits(medium)) return medium;
    if (fits(narrow)) return narrow;
    throw Error("matmul: device " + dev.name + " has too little shared memory for the tiled path");
}

// CPU devices whose subgroups are 8 lanes wide (lavapipe on AVX2) get matmul_lanes.comp: one
// subgroup per workgroup, 8 rows per lane (64 per workgroup), 16 columns per workgroup, no
// shared memory; K must be a multiple of 32 (its step), else the tiled kernel.
constexpr std::uint32_t kLanes = 8, kLanesRows = 32, kLanesMaxColumns = 16, kLanesDepth = 32;
// Products of at most this many columns may take the half tile (see the lanes path).
constexpr std::int64_t kLanesShortColumns = 64;

// PRISM_MATMUL_TILED=1 forces the shared-memory tiles on such devices too, to compare both
// kernels in one build (prism-bench) and to test that path on lavapipe.
bool use_lanes(const gpu::DeviceInfo& dev) {
    const char* tiled = std::getenv("PRISM_MATMUL_TILED");
    const bool forced_tiled = tiled != nullptr && std::string_view(tiled) == "1";
    return !forced_tiled && dev.kind == gpu::DeviceKind::cpu &&
           dev.max_workgroup_invocations >= kLanes;
}

struct Matvec {
    std::uint32_t threads, rows;
    bool lane_rows = false;  // rows per invocation (matvec.comp's LANE_ROWS), K-quants only
    bool shared = false;     // the shared-memory reduction (matvec_<type>_shared)
};

// PRISM_MATVEC=gpu|cpu|shared picks the matrix-vector configuration whatever the device (gpu:
// the GPU-tuned one; shared: the same with the shared-memory reduction that devices without
// subgroup arithmetic get), so that lavapipe tests every configuration; unset or anything
// else: by the device.
std::string_view forced_matvec() {
    const char* v = std::getenv("PRISM_MATVEC");
    return v == nullptr ? std::string_view() : std::string_view(v);
}

// GPUs: one to four subgroups per workgroup (a power of two, which the shared-memory tree
// needs) and two rows per workgroup so that each x load serves two rows; one row at N > 4 to
// keep the accumulators in registers. CPU devices (lavapipe) pay a fixed cost per workgroup
// and per barrier, so they get one subgroup (reduced by subgroupAdd alone, no barrier) that
// reads several rows; for block types each invocation takes a row of its own and reads its
// blocks whole (every load there is a per-lane loop, so few wide loads beat coalescing).
Matvec choose_matvec(const gpu::DeviceInfo& dev, std::int64_t N, TensorType type) {
    const std::string_view forced = forced_matvec();
    const bool cpu_config = forced == "cpu" || (forced.empty() && dev.kind == gpu::DeviceKind::cpu);
    if (cpu_config && dev.subgroup_arithmetic && dev.subgroup_size >= 4 &&
        dev.subgroup_size <= dev.max_workgroup_invocations) {
        return {dev.subgroup_size, cpu_matvec_rows(N),
                has_block_decoder(type) && N <= kLaneRowsMaxColumns};
    }
    std::uint32_t threads = std::bit_ceil(std::max<std::uint32_t>(dev.subgroup_size, 1) * 4);
    threads = std::clamp<std::uint32_t>(threads, 32, 128);
    threads = std::min(threads, std::bit_floor(dev.max_workgroup_invocations));
    return {threads, N > 4 ? 1u : 2u, false, !dev.subgroup_arithmetic || forced == "shared"};
}

// The most columns the matrix-vector kernel takes before the matrix-matrix one is faster. On
// CPU devices with the lanes kernel, matrix-vector work grows with every column (each is a
// pass over x per row), so lanes win from 3 columns for types split across the subgroup
// (Q4_1 896x4864: matvec 10.6 ms at N = 4, 30 ms at 8; lanes 7.6 ms at 16) and from 5 for
// lane-row types (Q4_K 4864x896: 3.6 ms at 4, 14.5 ms at 8; lanes 10.3 ms at 16). A forced
// PRISM_MATVEC configuration keeps every N up to kMatvecMaxColumns on matvec, so that tests
// reach all of it.
std::int64_t matvec_columns(TensorType type, bool lanes) {
    if (!lanes || !forced_matvec().empty()) return kMatvecMaxColumns;
    return has_block_decoder(type) ? 4 : 2;
}

}  // namespace

std::int64_t decode_max_columns(const gpu::DeviceInfo& device) {
    return use_lanes(device) ? 2 : kMatvecMaxColumns;
}

void matmul(gpu::Recorder& rec, const gpu::Tensor& weight, const gpu::Tensor& x,
            const gpu::Tensor& out) {
    auto& ctx = rec.context();
    const auto& dev = ctx.device();
    const auto chunks = weight_chunks(ctx, kOp, weight);
    require_type(kOp, "x", x, {TensorType::F32});
    require_type(kOp, "out", out, {TensorType::F32});
    const std::int64_t K = weight.ne[0], M = weight.ne[1], N = x.ne[1];
    require(x.ne[2] == 1 && x.ne[3] == 1 && out.ne[2] == 1 && out.ne[3] == 1, kOp,
            "batched products are not supported yet: x " + x.shape_string() + ", out " +
                out.shape_string());
    require(x.ne[0] == K, kOp,
            "x " + x.shape_string() + " does not match weight " + weight.shape_string());
    require(out.ne[0] == M && out.ne[1] == N, kOp,
            "out " + out.shape_string() + " should be [" + std::to_string(M) + ", " +
                std::to_string(N) + "]");
    require(x.nb[0] == 4 && x.nb[1] % 4 == 0 && out.nb[0] == 4 && out.nb[1] % 4 == 0, kOp,
            "x and out must be contiguous along dim 0");
    require(N < (std::int64_t{1} << 31) && K < (std::int64_t{1} << 31), kOp,
            "sizes exceed 32-bit indexing");
    const auto bx = gpu::bind_in(ctx, x), bo = gpu::bind_out(ctx, out);

    MatmulPush p{};
    p.K = u32(K);
    p.N = u32(N);
    p.x_first = bx.first;
    p.x_stride = u32(static_cast<std::int64_t>(x.nb[1] / 4));
    p.out_first = bo.first;
    p.out_stride = u32(static_cast<std::int64_t>(out.nb[1] / 4));
    const std::string type = weight_variant(weight.type);
    // shaders/matmul.cmake builds matmul_lanes only for the types it suits; the others take
    // the tiled kernel.
    const std::string lanes_variant = "matmul_lanes_" + type;
    const bool lanes = use_lanes(dev) && K % kLanesDepth == 0 && gpu::has_shader(lanes_variant);

    if (N <= matvec_columns(weight.type, lanes)) {
        const Matvec mv = choose_matvec(dev, N, weight.type);
        const std::string variant = "matvec_" + type + (mv.shared ? "_shared" : "");
        const bool x_vec = p.x_first % 4 == 0 && p.x_stride % 4 == 0;
        const bool x_texels = texel_reads(dev) && x_vec && texels_fit(dev, bx.arg);
        const gpu::Arg x_arg = x_texels ? as_texels(bx.arg, gpu::Via::texel_vec4) : bx.arg;
        for (const auto& c : chunks) {
            const bool wide = wide_rows(weight.type, c);
            const bool texels = texel_reads(dev) && texels_fit(dev, c.bound.arg);
            // Lane rows read 32-bit words from an even unit (and realign odd blocks).
            const bool lane_rows = mv.lane_rows && c.bound.first % 2 == 0;
            const gpu::Arg w_arg =
                texels ? as_texels(c.bound.arg, gpu::Via::texel_uvec4) : c.bound.arg;
            const auto& pipeline = rec.pipeline(
                variant, {mv.threads, mv.rows, u32(N), wide, x_vec, lane_rows, x_texels, texels});
            p.M = c.rows;
            p.w_first = c.bound.first;
            p.w_stride = c.row_units;
            p.m0 = c.first_row;
            const std::uint32_t per_group = lane_rows ? mv.threads * mv.rows : mv.rows;
            const auto groups = gpu::spread_groups(ctx, (c.rows + per_group - 1) / per_group);
            rec.dispatch(pipeline, {w_arg, x_arg, bo.arg}, p, groups, "matvec");
        }
        return;
    }

    if (lanes) {
        // One tile shape (64 x 16) for every product, so one pipeline per type to compile
        // (seconds on lavapipe): ragged edges recompute the last row or column instead.
        const std::uint32_t bn = kLanesMaxColumns, rg = 2;
        const bool x_vec = p.x_first % 4 == 0 && p.x_stride % 4 == 0;
        // x is read as whole vec4s, so as texels only where X_VEC holds; every weight read
        // (wide or not, any type) has a texel form.
        const bool x_texels = texel_reads(dev) && x_vec && texels_fit(dev, bx.arg);
        const gpu::Arg x_arg = x_texels ? as_texels(bx.arg, gpu::Via::texel_vec4) : bx.arg;
        for (const auto& c : chunks) {
            const bool wide = wide_rows(weight.type, c);
            const bool texels = texel_reads(dev) && texels_fit(dev, c.bound.arg);
            const gpu::Arg w_arg =
                texels ? as_texels(c.bound.arg, gpu::Via::texel_uvec4) : c.bound.arg;
            const std::array<std::uint32_t, 7> full{kLanes, bn, wide, x_vec, rg, x_texels, texels};
            std::array<std::uint32_t, 7> spec = full;
            // A short product (a first prompt) on a device that compiles a shader at its first
            // dispatch takes a tile of half the columns and rows while the full tile has never
            // been built: it compiles in a third of the time and gives the same sums (each runs
            // over k in the same order). The full tile is built ahead for the prompts after.
            if (N <= kLanesShortColumns && !ctx.pipeline_built(lanes_variant, full)) {
                spec[1] = kLanesMaxColumns / 2;
                spec[4] = 1;
                ctx.build_ahead(lanes_variant, full);
            }
            const std::uint32_t tile_rows = kLanesRows * spec[4];
            const std::uint64_t tiles_n = (static_cast<std::uint64_t>(N) + spec[1] - 1) / spec[1];
            require(tiles_n <= dev.max_workgroup_count[1], kOp,
                    "N = " + std::to_string(N) + " is too large for one dispatch");
            const auto& pipeline = ctx.pipeline(lanes_variant, spec);
            p.M = c.rows;
            p.w_first = c.bound.first;
            p.w_stride = c.row_units;
            p.m0 = c.first_row;
            const std::uint64_t tiles_m = (c.rows + tile_rows - 1) / tile_rows;
            require(tiles_m <= dev.max_workgroup_count[0], kOp,
                    "M = " + std::to_string(M) + " is too large for one dispatch");
            rec.dispatch(
                pipeline, {w_arg, x_arg, bo.arg}, p,
                {static_cast<std::uint32_t>(tiles_m), static_cast<std::uint32_t>(tiles_n), 1},
                "matmul");
        }
        return;
    }

    const Tiles t = choose_tiles(dev, M, N);
    const std::uint64_t tiles_n = (static_cast<std::uint64_t>(N) + t.bn - 1) / t.bn;
    require(tiles_n <= dev.max_workgroup_count[1], kOp,
            "N = " + std::to_string(N) + " is too large for one dispatch");
    for (const auto& c : chunks) {
        const auto& pipeline = rec.pipeline("matmul_" + type, {t.threads(), t.bm, t.bn, t.bk, t.tm,
                                                               t.tn, wide_rows(weight.type, c)});
        p.M = c.rows;
        p.w_first = c.bound.first;
        p.w_stride = c.row_units;
        p.m0 = c.first_row;
        const std::uint64_t tiles_m = (c.rows + t.bm - 1) / t.bm;
        require(tiles_m <= dev.max_workgroup_count[0], kOp,
                "M = " + std::to_string(M) + " is too large for one dispatch");
        rec.dispatch(pipeline, {c.bound.arg, bx.arg, bo.arg}, p,
                     {static_cast<std::uint32_t>(tiles_m), static_cast<std::uint32_t>(tiles_n), 1},
                     "matmul");
    }
}

namespace cpu {

HostTensor matmul(TensorType type, std::span<const std::byte> weight, std::int64_t K,
                  std::int64_t M, const HostTensor& x) {
    if (x.ne[0] != K || x.ne[2] != 1 || x.ne[3] != 1)
        throw Error("cpu::matmul: x does not match the weight");
    const std::uint64_t row = row_bytes(type, static_cast<std::uint64_t>(K));
    if (weight.size() != row * static_cast<std::uint64_t>(M)) {
        throw Error("cpu::matmul: weight holds " + std::to_string(weight.size()) +
                    " bytes, expected " + std::to_string(row * static_cast<std::uint64_t>(M)));
    }
    const std::int64_t N = x.ne[1];
    HostTensor out({M, N, 1, 1});
    std::vector<float> w(static_cast<std::size_t>(K));
    for (std::int64_t m = 0; m < M; ++m) {
        dequantize(type,
                   weight.subspan(static_cast<std::size_t>(row) * static_cast<std::size_t>(m), row),
                   w);
        for (std::int64_t n = 0; n < N; ++n) {
            double s = 0;
            for (std::int64_t k = 0; k < K; ++k)
                s += static_cast<double>(w[static_cast<std::size_t>(k)]) * x.at(k, n);
            out.at(m, n) = static_cast<float>(s);
        }
    }
    return out;
}

}  // namespace cpu

}  // namespace prism::ops
