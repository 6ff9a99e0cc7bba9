#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "ops/op_checks.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::ops {

// Shapes and strides as the shaders take them: 32-bit, strides in elements of `unit` bytes.
// Shaders index with 32-bit arithmetic, so a view whose memory holds 2^32 or more elements
// is rejected here instead of wrapping around inside the shader.
inline std::array<std::uint32_t, 4> shader_shape(const gpu::Tensor& t) {
    std::array<std::uint32_t, 4> ne{};
    for (int d = 0; d < 4; ++d) ne[d] = static_cast<std::uint32_t>(t.ne[d]);
    return ne;
}

inline std::array<std::uint32_t, 4> shader_strides(std::string_view op, std::string_view arg,
                                                   const gpu::Tensor& t, std::uint32_t unit) {
    require(t.memory.size / unit < std::numeric_limits<std::uint32_t>::max(), op,
            std::string(arg) + " " + t.shape_string() + " is too large for 32-bit indexing");
    std::array<std::uint32_t, 4> s{};
    for (int d = 0; d < 4; ++d) {
        require(t.nb[d] % unit == 0, op,
                std::string(arg) + " has a stride that is not a multiple of its element size");
        s[d] = static_cast<std::uint32_t>(t.nb[d] / unit);
    }
    return s;
}

inline std::uint32_t element_bytes(TensorType type) {
    return type == TensorType::F16 ? 2u : 4u;
}

// Workgroup size of shaders that use workgroup_reduce.glsl: a power of two (the tree halves
// it) within the device's limit; 256 at most keeps the scratch array small.
constexpr std::uint32_t kMaxReduceGroup = 256;
inline std::uint32_t reduce_group_size(std::uint32_t wanted, std::uint32_t device_limit) {
    std::uint32_t limit = wanted < device_limit ? wanted : device_limit;
    if (limit > kMaxReduceGroup) limit = kMaxReduceGroup;
    std::uint32_t size = 1;
    while (size * 2 <= limit) size *= 2;
    return size;
}

}  // namespace prism::ops
