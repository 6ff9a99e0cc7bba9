#include "prism/gpu/tensor.hpp"

#include <string>

#include "prism/error.hpp"

namespace prism::gpu {

Tensor Tensor::contiguous(const BufferRange& range, TensorType type,
                          std::initializer_list<std::int64_t> shape) {
    if (shape.size() == 0 || shape.size() > 4) throw Error("a tensor has 1 to 4 dimensions");
    Tensor t;
    t.type = type;
    int d = 0;
    for (auto n : shape) {
        if (n <= 0) throw Error("tensor dimensions must be positive");
        t.ne[d++] = n;
    }
    const auto& info = tensor_type_info(type);
    t.nb[0] = info.block_bytes;
    t.nb[1] = row_bytes(type, static_cast<std::uint64_t>(t.ne[0]));
    t.nb[2] = t.nb[1] * static_cast<std::uint64_t>(t.ne[1]);
    t.nb[3] = t.nb[2] * static_cast<std::uint64_t>(t.ne[2]);
    const std::uint64_t bytes = t.nb[3] * static_cast<std::uint64_t>(t.ne[3]);
    if (bytes > range.size) {
        throw Error("tensor " + t.shape_string() + " needs " + std::to_string(bytes) +
                    " bytes but its memory has " + std::to_string(range.size));
    }
    t.memory = {range.buffer, range.offset, bytes};
    return t;
}

Tensor Tensor::contiguous(const Buffer& buffer, TensorType type,
                          std::initializer_list<std::int64_t> shape, std::uint64_t offset) {
    if (offset > buffer.size()) throw Error("tensor offset lies past the end of its buffer");
    return contiguous(buffer.range(offset, buffer.size() - offset), type, shape);
}

bool Tensor::is_contiguous() const {
    const auto& info = tensor_type_info(type);
    if (nb[0] != info.block_bytes) return false;
    std::uint64_t expect = row_bytes(type, static_cast<std::uint64_t>(ne[0]));
    for (int d = 1; d < 4; ++d) {
        if (ne[d] > 1 && nb[d] != expect) return false;
        expect *= static_cast<std::uint64_t>(ne[d]);
    }
    return true;
}

std::string Tensor::shape_string() const {
    return "[" + std::to_string(ne[0]) + ", " + std::to_string(ne[1]) + ", " +
           std::to_string(ne[2]) + ", " + std::to_string(ne[3]) + "] " +
           std::string(tensor_type_name(type));
}

Tensor Tensor::permuted(int axis0, int axis1, int axis2, int axis3) const {
    const int axes[4] = {axis0, axis1, axis2, axis3};
    int seen = 0;
    for (int a : axes) {
        if (a < 0 || a > 3 || (seen & (1 << a)))
            throw Error("permute axes must be a permutation of 0..3");
        seen |= 1 << a;
    }
    if (tensor_type_info(type).block_elements != 1)
        throw Error("cannot permute a block-quantized tensor");
    Tensor t = *this;
    for (int i = 0; i < 4; ++i) {
        t.ne[axes[i]] = ne[i];
        t.nb[axes[i]] = nb[i];
    }
    return t;
}

Tensor Tensor::rows_slice(std::int64_t first, std::int64_t count) const {
    if (!is_contiguous() || ne[2] != 1 || ne[3] != 1) {
        throw Error("rows_slice needs a contiguous 2-D tensor, got " + shape_string());
    }
    if (first < 0 || count <= 0 || first + count > ne[1]) throw Error("row slice out of range");
    Tensor t = *this;
    t.ne[1] = count;
    t.nb[2] = nb[1] * static_cast<std::uint64_t>(count);
    t.nb[3] = t.nb[2];
    t.memory = memory.sub(static_cast<std::uint64_t>(first) * nb[1],
                          static_cast<std::uint64_t>(count) * nb[1]);
    return t;
}

}  // namespace prism::gpu
