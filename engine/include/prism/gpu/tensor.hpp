#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "prism/gpu/buffer.hpp"
#include "prism/tensor_type.hpp"

namespace prism::gpu {

// A typed view of device memory with up to four dimensions, ne[0] innermost, and byte
// strides nb (as in GGUF). Non-contiguous views (permutes, slices) are plain strides.
struct Tensor {
    BufferRange memory;  // the bytes the view may touch (starts at element 0)
    TensorType type = TensorType::F32;
    std::array<std::int64_t, 4> ne{1, 1, 1, 1};
    std::array<std::uint64_t, 4> nb{};

    // A contiguous tensor at `offset` bytes into `buffer`. Throws when it does not fit.
    static Tensor contiguous(const Buffer& buffer, TensorType type,
                             std::initializer_list<std::int64_t> shape, std::uint64_t offset = 0);
    static Tensor contiguous(const BufferRange& range, TensorType type,
                             std::initializer_list<std::int64_t> shape);

    std::int64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    std::int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
    bool is_contiguous() const;
    std::uint64_t bytes() const { return memory.size; }
    std::string shape_string() const;  // "[4096, 32, 1, 1] Q4_K"

    // The same memory seen with dims swapped (strides follow), like a transpose or permute.
    Tensor permuted(int axis0, int axis1, int axis2, int axis3) const;
    // A range of rows along dim 1 (contiguous tensors only); memory is narrowed to them.
    Tensor rows_slice(std::int64_t first, std::int64_t count) const;
};

}  // namespace prism::gpu
