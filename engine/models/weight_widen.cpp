#include "models/weight_widen.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "prism/error.hpp"

namespace prism::models {
namespace {

constexpr std::size_t kBlock = 32;
constexpr std::size_t kQ8Bytes = 2 + kBlock;  // f16 d, 32 int8

bool q8_exact(TensorType t) {
    return t == TensorType::Q4_0 || t == TensorType::Q5_0 || t == TensorType::Q8_0;
}

}  // namespace

std::optional<TensorType> shared_weight_type(std::span<const TensorType> types) {
    if (types.empty()) return std::nullopt;
    if (std::all_of(types.begin(), types.end(), [&](TensorType t) { return t == types[0]; }))
        return types[0];
    if (std::all_of(types.begin(), types.end(), q8_exact)) return TensorType::Q8_0;
    return std::nullopt;
}

std::vector<std::byte> widen_to_q8_0(TensorType type, std::span<const std::byte> data) {
    const std::size_t in_bytes = tensor_type_info(type).block_bytes;
    if ((type != TensorType::Q4_0 && type != TensorType::Q5_0) || data.size() % in_bytes != 0)
        throw Error("widen_to_q8_0: expects whole Q4_0 or Q5_0 blocks");
    const std::size_t blocks = data.size() / in_bytes;
    std::vector<std::byte> out(blocks * kQ8Bytes);
    for (std::size_t b = 0; b < blocks; ++b) {
        const auto* in = reinterpret_cast<const std::uint8_t*>(data.data()) + b * in_bytes;
        auto* o = reinterpret_cast<std::uint8_t*>(out.data()) + b * kQ8Bytes;
        std::memcpy(o, in, 2);  // d, unchanged
        auto* q = reinterpret_cast<std::int8_t*>(o + 2);
        if (type == TensorType::Q4_0) {
            const std::uint8_t* qs = in + 2;
            for (std::size_t j = 0; j < 16; ++j) {
                q[j] = static_cast<std::int8_t>((qs[j] & 0x0F) - 8);
                q[j + 16] = static_cast<std::int8_t>((qs[j] >> 4) - 8);
            }
        } else {
            std::uint32_t qh = 0;
            std::memcpy(&qh, in + 2, 4);
            const std::uint8_t* qs = in + 6;
            for (std::size_t j = 0; j < 16; ++j) {
                const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) << 4) & 0x10);
                const int hi = (qs[j] >> 4) | static_cast<int>((qh >> (j + 12)) & 0x10);
                q[j] = static_cast<std::int8_t>(lo - 16);
                q[j + 16] = static_cast<std::int8_t>(hi - 16);
            }
        }
    }
    return out;
}

}  // namespace prism::models
