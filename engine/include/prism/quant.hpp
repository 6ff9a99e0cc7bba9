#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "prism/tensor_type.hpp"

namespace prism {

// CPU dequantization of every computable tensor type (see computable_tensor_types()),
// bit-exact with the reference implementation in llama.cpp's gguf package.
// `src` holds whole blocks for `dst.size()` elements; throws naming the type when the
// sizes disagree or the type cannot be dequantized.
void dequantize(TensorType type, std::span<const std::byte> src, std::span<float> dst);

inline std::vector<float> dequantize(TensorType type, std::span<const std::byte> src,
                                     std::size_t elements) {
    std::vector<float> out(elements);
    dequantize(type, src, out);
    return out;
}

}  // namespace prism
