#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace prism::ops {

// A contiguous f32 tensor in host memory, ne[0] innermost: the currency of the CPU
// reference implementations that every GPU op is tested against.
struct HostTensor {
    std::array<std::int64_t, 4> ne{1, 1, 1, 1};
    std::vector<float> data;

    HostTensor() = default;
    explicit HostTensor(std::array<std::int64_t, 4> shape)
        : ne(shape), data(static_cast<std::size_t>(shape[0] * shape[1] * shape[2] * shape[3])) {}

    std::int64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    float& at(std::int64_t i0, std::int64_t i1 = 0, std::int64_t i2 = 0, std::int64_t i3 = 0) {
        return data[static_cast<std::size_t>(((i3 * ne[2] + i2) * ne[1] + i1) * ne[0] + i0)];
    }
    float at(std::int64_t i0, std::int64_t i1 = 0, std::int64_t i2 = 0, std::int64_t i3 = 0) const {
        return data[static_cast<std::size_t>(((i3 * ne[2] + i2) * ne[1] + i1) * ne[0] + i0)];
    }
};

}  // namespace prism::ops
