#include "ops/weight_chunks.hpp"

#include <algorithm>
#include <cctype>

#include "ops/op_checks.hpp"

namespace prism::ops {

std::vector<WeightChunk> weight_chunks(const gpu::Context& context, std::string_view op,
                                       const gpu::Tensor& weight) {
    const auto& info = tensor_type_info(weight.type);
    require(info.computable, op,
            "weight " + weight.shape_string() + " has a type Prism cannot compute with");
    require(weight.ne[0] % info.block_elements == 0, op,
            "weight " + weight.shape_string() + ": K = " + std::to_string(weight.ne[0]) +
                " is not a multiple of the " + std::string(info.name) + " block size " +
                std::to_string(info.block_elements));
    require(weight.ne[2] == 1 && weight.ne[3] == 1 && weight.is_contiguous(), op,
            "weight " + weight.shape_string() + " must be a contiguous 2-D tensor");
    const std::uint32_t unit = weight.type == TensorType::F32 ? 4 : 2;
    const std::uint64_t row_bytes = weight.nb[1];
    const auto& device = context.device();
    // bind() may move the start back by up to one alignment step, which the range must absorb.
    const std::uint64_t usable =
        device.max_storage_buffer_range - device.min_storage_buffer_offset_alignment;
    require(row_bytes <= usable, op,
            "one row of weight " + weight.shape_string() +
                " is larger than the device's storage binding range");
    // Row offsets inside a chunk are 32-bit unit indices.
    const std::uint64_t limit = std::min<std::uint64_t>(usable, (std::uint64_t{1} << 31) * unit);
    const std::int64_t per_chunk = static_cast<std::int64_t>(limit / row_bytes);
    require(weight.ne[1] < (std::int64_t{1} << 31), op,
            "weight " + weight.shape_string() + " has too many rows");

    std::vector<WeightChunk> chunks;
    for (std::int64_t r = 0; r < weight.ne[1]; r += per_chunk) {
        const std::int64_t rows = std::min(per_chunk, weight.ne[1] - r);
        const gpu::Tensor piece =
            chunks.empty() && rows == weight.ne[1] ? weight : weight.rows_slice(r, rows);
        WeightChunk c;
        c.bound = gpu::bind_in(context, piece, unit);
        c.first_row = static_cast<std::uint32_t>(r);
        c.rows = static_cast<std::uint32_t>(rows);
        c.row_units = static_cast<std::uint32_t>(row_bytes / unit);
        chunks.push_back(c);
    }
    return chunks;
}

bool wide_rows(TensorType type, const WeightChunk& c) {
    const auto& info = tensor_type_info(type);
    const std::uint32_t units = type == TensorType::F32 ? 4 : info.block_elements == 1 ? 8 : 2;
    return c.bound.first % units == 0 && c.row_units % units == 0;
}

std::string weight_variant(TensorType type) {
    std::string name(tensor_type_name(type));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
}

}  // namespace prism::ops
