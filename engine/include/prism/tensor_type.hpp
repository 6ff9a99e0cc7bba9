#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace prism {

// Tensor element types, numbered as GGUF files number them.
enum class TensorType : std::uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ4_NL = 20,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    BF16 = 30,
};

struct TensorTypeInfo {
    TensorType type;
    std::string_view name;
    std::uint32_t block_elements;  // elements per block (1 for plain types)
    std::uint32_t block_bytes;     // bytes per block
    bool quantized;
    bool computable;  // Prism can dequantize it and use it as a weight
};

// Descriptor of a type id read from a file, or nullopt when the id is unknown to Prism.
std::optional<TensorTypeInfo> find_tensor_type(std::uint32_t id);

// Descriptor of a known type.
const TensorTypeInfo& tensor_type_info(TensorType type);

std::string_view tensor_type_name(TensorType type);

// Parses a name such as "Q4_K" or "f16" (case-insensitive).
std::optional<TensorType> parse_tensor_type(std::string_view name);

// Bytes needed by one row of `elements` elements; throws when the row is not a whole number of
// blocks.
std::uint64_t row_bytes(TensorType type, std::uint64_t elements);

// Every type Prism can dequantize and compute with, in a stable order.
std::span<const TensorType> computable_tensor_types();

}  // namespace prism
