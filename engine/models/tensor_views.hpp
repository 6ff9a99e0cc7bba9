#pragma once

// Views of f32 activation buffers that the decoder and the vision encoder hand to the ops:
// shapes, column ranges, the real part of padded heads. A view never copies; its memory is
// narrowed to what it spans so that each binding stays within the device's limit.

#include <array>
#include <cstdint>
#include <initializer_list>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::models {

inline std::uint64_t f32_bytes(std::int64_t elements) {
    return static_cast<std::uint64_t>(elements) * 4;
}

// A contiguous f32 tensor at the start of `buffer`.
gpu::Tensor f32(const gpu::Buffer& buffer, std::initializer_list<std::int64_t> shape);

// Columns [first, first + count) of a contiguous f32 [rows, *] buffer, as [rows, count].
gpu::Tensor columns(const gpu::Buffer& buffer, std::int64_t rows, std::int64_t first,
                    std::int64_t count);
// Columns [first, first + count) of an f32 [rows, *] tensor with any column stride.
gpu::Tensor columns(const gpu::Tensor& t, std::int64_t first, std::int64_t count);

// The first `dim` elements along dim 0 of a [padded, ...] tensor (a padded head's real part).
gpu::Tensor head_prefix(gpu::Tensor padded, std::int64_t dim);

// Elements [first, first + count) of dim `dim` of a strided view.
gpu::Tensor narrow(gpu::Tensor t, int dim, std::int64_t first, std::int64_t count);

// An f32 view of `buffer` with shape ne and strides counted in floats.
gpu::Tensor strided(const gpu::Buffer& buffer, std::array<std::int64_t, 4> ne,
                    std::array<std::uint64_t, 4> nb_floats);

}  // namespace prism::models
