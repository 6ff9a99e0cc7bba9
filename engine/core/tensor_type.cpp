#include "prism/tensor_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "prism/error.hpp"

namespace prism {
namespace {

constexpr std::array kTypes = {
    TensorTypeInfo{TensorType::F32, "F32", 1, 4, false, true},
    TensorTypeInfo{TensorType::F16, "F16", 1, 2, false, true},
    TensorTypeInfo{TensorType::Q4_0, "Q4_0", 32, 18, true, true},
    TensorTypeInfo{TensorType::Q4_1, "Q4_1", 32, 20, true, true},
    TensorTypeInfo{TensorType::Q5_0, "Q5_0", 32, 22, true, true},
    TensorTypeInfo{TensorType::Q5_1, "Q5_1", 32, 24, true, true},
    TensorTypeInfo{TensorType::Q8_0, "Q8_0", 32, 34, true, true},
    TensorTypeInfo{TensorType::Q8_1, "Q8_1", 32, 36, true, false},
    TensorTypeInfo{TensorType::Q2_K, "Q2_K", 256, 84, true, true},
    TensorTypeInfo{TensorType::Q3_K, "Q3_K", 256, 110, true, true},
    TensorTypeInfo{TensorType::Q4_K, "Q4_K", 256, 144, true, true},
    TensorTypeInfo{TensorType::Q5_K, "Q5_K", 256, 176, true, true},
    TensorTypeInfo{TensorType::Q6_K, "Q6_K", 256, 210, true, true},
    TensorTypeInfo{TensorType::Q8_K, "Q8_K", 256, 292, true, false},
    TensorTypeInfo{TensorType::IQ4_NL, "IQ4_NL", 32, 18, true, true},
    TensorTypeInfo{TensorType::I8, "I8", 1, 1, false, false},
    TensorTypeInfo{TensorType::I16, "I16", 1, 2, false, false},
    TensorTypeInfo{TensorType::I32, "I32", 1, 4, false, false},
    TensorTypeInfo{TensorType::BF16, "BF16", 1, 2, false, true},
};

constexpr auto make_computable() {
    std::array<TensorType, 14> out{};
    std::size_t n = 0;
    for (const auto& t : kTypes) {
        if (t.computable) out[n++] = t.type;
    }
    return out;
}
constexpr auto kComputable = make_computable();
static_assert(std::count_if(kTypes.begin(), kTypes.end(), [](const TensorTypeInfo& t) {
                  return t.computable;
              }) == static_cast<std::ptrdiff_t>(kComputable.size()));

}  // namespace

std::optional<TensorTypeInfo> find_tensor_type(std::uint32_t id) {
    for (const auto& t : kTypes) {
        if (static_cast<std::uint32_t>(t.type) == id) return t;
    }
    return std::nullopt;
}

const TensorTypeInfo& tensor_type_info(TensorType type) {
    for (const auto& t : kTypes) {
        if (t.type == type) return t;
    }
    throw Error("unknown tensor type id " + std::to_string(static_cast<std::uint32_t>(type)));
}

std::string_view tensor_type_name(TensorType type) {
    return tensor_type_info(type).name;
}

std::optional<TensorType> parse_tensor_type(std::string_view name) {
    for (const auto& t : kTypes) {
        if (t.name.size() != name.size()) continue;
        bool same = std::equal(name.begin(), name.end(), t.name.begin(), [](char a, char b) {
            return std::toupper(static_cast<unsigned char>(a)) == b;
        });
        if (same) return t.type;
    }
    return std::nullopt;
}

std::uint64_t row_bytes(TensorType type, std::uint64_t elements) {
    const auto& info = tensor_type_info(type);
    if (elements % info.block_elements != 0) {
        throw Error("a row of " + std::to_string(elements) + " elements is not a whole number of " +
                    std::string(info.name) + " blocks of " + std::to_string(info.block_elements));
    }
    return elements / info.block_elements * info.block_bytes;
}

std::span<const TensorType> computable_tensor_types() {
    return kComputable;
}

}  // namespace prism
