#pragma once

#include <cstdint>

#include "prism/gpu/context.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::gpu {

// A tensor bound to a shader: the range starts at an offset the device accepts, and
// `first` is where the tensor's element 0 lies inside it, in units of `unit` bytes
// (4 for f32 arrays, 2 for f16, 1 for bytes). Shaders add `first` to every index.
struct BoundTensor {
    Arg arg;
    std::uint32_t first = 0;
};

BoundTensor bind(const Context& context, const Tensor& tensor, bool written, std::uint32_t unit);
inline BoundTensor bind_in(const Context& c, const Tensor& t, std::uint32_t unit = 4) {
    return bind(c, t, false, unit);
}
inline BoundTensor bind_out(const Context& c, const Tensor& t, std::uint32_t unit = 4) {
    return bind(c, t, true, unit);
}

}  // namespace prism::gpu
