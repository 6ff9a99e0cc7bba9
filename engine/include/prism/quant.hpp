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

// Valid random data of `elements` elements of `type`, the same bytes for the same
// (type, elements, seed) on every platform. Quantized types get random quant bits and fp16
// scale fields that keep every dequantized value finite and of order one (d, dmin and the
// Q4_1/Q5_1 offset m are normal fp16 numbers sized to the type's largest quant); F32, F16
// and BF16 get values in [-1, 1]. For test and benchmark weights of every type.
// Throws when `type` is not computable or `elements` is not a whole number of blocks.
std::vector<std::uint8_t> random_quantized(TensorType type, std::size_t elements,
                                           std::uint32_t seed);

}  // namespace prism
