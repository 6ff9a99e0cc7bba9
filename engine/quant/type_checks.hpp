#pragma once

// Argument checks shared by dequantize and random_quantized, so both name the type the same way.

#include <cstddef>
#include <string>

#include "prism/error.hpp"
#include "prism/tensor_type.hpp"

namespace prism::quant {

// "Q4_K (type 12)"
inline std::string describe(const TensorTypeInfo& info) {
    return std::string(info.name) + " (type " +
           std::to_string(static_cast<std::uint32_t>(info.type)) + ")";
}

// The descriptor of a type Prism can dequantize; throws naming the type otherwise.
inline const TensorTypeInfo& computable_info(TensorType type, const char* what) {
    const auto id = static_cast<std::uint32_t>(type);
    const auto found = find_tensor_type(id);
    if (!found) {
        throw Error(std::string(what) + ": unknown tensor type id " + std::to_string(id));
    }
    const TensorTypeInfo& info = tensor_type_info(type);
    if (!info.computable) {
        throw Error(std::string(what) + ": tensor type " + describe(info) +
                    " cannot be dequantized by Prism");
    }
    return info;
}

// Number of blocks holding `elements`; throws when they are not a whole number of blocks.
inline std::size_t whole_blocks(const TensorTypeInfo& info, std::size_t elements,
                                const char* what) {
    if (elements % info.block_elements != 0) {
        throw Error(std::string(what) + " " + describe(info) + ": " + std::to_string(elements) +
                    " elements are not a whole number of " + std::to_string(info.block_elements) +
                    "-element blocks");
    }
    return elements / info.block_elements;
}

}  // namespace prism::quant
