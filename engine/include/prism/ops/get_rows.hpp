#pragma once

#include <cstdint>
#include <span>

#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/tensor_type.hpp"

namespace prism::ops {

// Embedding lookup: out[:, i] = row ids[i] of `table`, dequantized. table is a contiguous
// [K, V] tensor of any computable type, ids is I32 [n], out is f32 [K, n] (columns may be
// strided). An id outside [0, V) yields a column of zeros (it is never read). Tables larger
// than one storage binding are processed in chunks of rows.
void get_rows(gpu::Recorder& rec, const gpu::Tensor& table, const gpu::Tensor& ids,
              const gpu::Tensor& out);

namespace cpu {
// Reference for get_rows(): `table` holds the raw bytes of a [K, V] tensor of `type`;
// returns [K, ids.size()], zeros for ids outside [0, V).
HostTensor get_rows(TensorType type, std::span<const std::byte> table, std::int64_t K,
                    std::int64_t V, std::span<const std::int32_t> ids);
}  // namespace cpu

}  // namespace prism::ops
