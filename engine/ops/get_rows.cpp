#include "prism/ops/get_rows.hpp"

#include <algorithm>

#include "ops/op_checks.hpp"
#include "ops/weight_chunks.hpp"
#include "prism/gpu/binding.hpp"
#include "prism/gpu/context.hpp"
#include "prism/quant.hpp"

namespace prism::ops {
namespace {

constexpr std::string_view kOp = "get_rows";

struct GetRowsPush {
    std::uint32_t K, n, V, v0, rows, w_first, w_stride, ids_first, out_first, out_stride,
        write_invalid;
};

std::uint32_t u32(std::int64_t v) {
    return static_cast<std::uint32_t>(v);
}

}  // namespace

void get_rows(gpu::Recorder& rec, const gpu::Tensor& table, const gpu::Tensor& ids,
              const gpu::Tensor& out) {
    auto& ctx = rec.context();
    const auto chunks = weight_chunks(ctx, kOp, table);
    require_type(kOp, "ids", ids, {TensorType::I32});
    require_type(kOp, "out", out, {TensorType::F32});
    const std::int64_t K = table.ne[0], n = ids.ne[0];
    require(ids.ne[1] == 1 && ids.ne[2] == 1 && ids.ne[3] == 1 && ids.nb[0] == 4, kOp,
            "ids " + ids.shape_string() + " must be a contiguous vector");
    require(out.ne[0] == K && out.ne[1] == n && out.ne[2] == 1 && out.ne[3] == 1, kOp,
            "out " + out.shape_string() + " should be [" + std::to_string(K) + ", " +
                std::to_string(n) + "]");
    require(out.nb[0] == 4 && out.nb[1] % 4 == 0, kOp, "out must be contiguous along dim 0");
    const std::uint64_t threads =
        static_cast<std::uint64_t>((K + 3) / 4) * static_cast<std::uint64_t>(n);
    require(threads < (std::uint64_t{1} << 32), kOp, "too many elements for one dispatch");
    const auto bi = gpu::bind_in(ctx, ids), bo = gpu::bind_out(ctx, out);

    GetRowsPush p{};
    p.K = u32(K);
    p.n = u32(n);
    p.V = u32(table.ne[1]);
    p.ids_first = bi.first;
    p.out_first = bo.first;
    p.out_stride = u32(static_cast<std::int64_t>(out.nb[1] / 4));
    constexpr std::uint32_t kGroup = 64;
    const auto& pipeline = rec.pipeline("get_rows_" + weight_variant(table.type), {kGroup});
    const auto groups = gpu::spread_groups(ctx, (threads + kGroup - 1) / kGroup);
    for (const auto& c : chunks) {
        p.v0 = c.first_row;
        p.rows = c.rows;
        p.w_first = c.bound.first;
        p.w_stride = c.row_units;
        p.write_invalid = &c == &chunks.front() ? 1 : 0;
        rec.dispatch(pipeline, {c.bound.arg, bi.arg, bo.arg}, p, groups, "get_rows");
    }
}

namespace cpu {

HostTensor get_rows(TensorType type, std::span<const std::byte> table, std::int64_t K,
                    std::int64_t V, std::span<const std::int32_t> ids) {
    const std::uint64_t row = row_bytes(type, static_cast<std::uint64_t>(K));
    if (table.size() != row * static_cast<std::uint64_t>(V)) {
        throw Error("cpu::get_rows: table holds " + std::to_string(table.size()) +
                    " bytes, expected " + std::to_string(row * static_cast<std::uint64_t>(V)));
    }
    HostTensor out({K, static_cast<std::int64_t>(ids.size()), 1, 1});
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= V) continue;  // stays zero
        const auto src =
            table.subspan(static_cast<std::size_t>(row) * static_cast<std::size_t>(ids[i]), row);
        dequantize(type, src,
                   std::span<float>(out.data).subspan(i * static_cast<std::size_t>(K),
                                                      static_cast<std::size_t>(K)));
    }
    return out;
}

}  // namespace cpu

}  // namespace prism::ops
